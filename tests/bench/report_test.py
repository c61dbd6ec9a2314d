#!/usr/bin/env python3
"""Tests of the latency report and its gate (scripts/bench-report), run as a user runs it:
one viewfinder run (synthetic 50 MP source, selfie-beauty, recording off) beside the stage
benchmarks and their anchors, against the committed baseline.

  report_test.py BUILD_DIR unchanged       passes the gate; results.json validates against
                                           bench/results.schema.json; every plot is a PNG of
                                           the size and series plots.json states
  report_test.py BUILD_DIR slower-stage    REARVIEW_TEST_STAGE_DELAY=lut:40 fails the gate,
                                           naming the lut stage's ratio
  report_test.py BUILD_DIR no-timestamps   REARVIEW_TEST_NO_GPU_TIMESTAMPS=1: the report
                                           completes and says what is missing"""
import json
import os
import pathlib
import struct
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parents[2]
RUN = "synthetic/selfie-beauty/recording-off"


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def report(build, out, env):
    cmd = [sys.executable, str(TOP / "scripts" / "bench-report"), str(build), "--report", str(out), "--quick",
           "--only", RUN, "--repetitions", "2"]
    r = subprocess.run(cmd, env=dict(os.environ, **env), capture_output=True, text=True)
    print(r.stdout[-6000:])
    print(r.stderr[-3000:], file=sys.stderr)
    return r.returncode


def png_size(path):
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        fail(f"{path} is not a PNG")
    return struct.unpack(">II", data[16:24])


def check_outputs(out):
    import jsonschema
    results = json.load(open(out / "results.json"))
    schema = json.load(open(TOP / "bench" / "results.schema.json"))
    try:
        jsonschema.validate(results, schema, format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError as e:
        fail(f"results.json does not match the schema: {e.message} at {list(e.absolute_path)}")
    runs = [r for r in results["runs"] if not r.get("error")]
    if [r["name"] for r in runs] != [RUN]:
        fail(f"expected the one run {RUN}, got {[r['name'] for r in results['runs']]}")
    frames = [f for f in runs[0]["frames"] if not f["warmup"]]
    if len(frames) < 20:
        fail(f"only {len(frames)} steady frames in 8 s at 30 fps")
    if not all(f["gpu_spans_within_frame"] for f in frames):
        fail("GPU spans lie outside their frame's capture→ready window: the GPU clock is not on the CPU's")
    if not all(set(f["gpu_ms"]) >= {"crop_scale", "beauty", "lut", "hud"} for f in frames):
        fail("a frame lacks one of selfie-beauty's GPU stages")
    plots = json.load(open(out / "plots.json"))
    # series per plot for one run of a pipeline with four GPU stages
    expected = {"latency_cdf.png": 1, "timeline.png": 4 + 2, "present_intervals.png": 1,
                "missed_refreshes.png": 1, "recording_on_off.png": 1}
    if sorted(p["file"] for p in plots) != sorted(expected):
        fail(f"plots {[p['file'] for p in plots]}, expected {sorted(expected)}")
    for p in plots:
        w, h = png_size(out / p["file"])
        if (w, h) != (p["width"], p["height"]):
            fail(f"{p['file']} is {w}x{h}, plots.json says {p['width']}x{p['height']}")
        if p["series"] != expected[p["file"]]:
            fail(f"{p['file']} draws {p['series']} series, expected {expected[p['file']]}")
    summary = (out / "summary.md").read_text()
    if "| ok |" not in summary or "0 regression(s)" not in summary:
        fail("the summary's gate table has no passing rows")


def main():
    build, mode = pathlib.Path(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="rearview-report-test-") as tmp:
        out = pathlib.Path(tmp)
        if mode == "unchanged":
            rc = report(build, out, {})
            if rc != 0:
                fail(f"the gate failed on an unchanged build (exit {rc})")
            check_outputs(out)
        elif mode == "slower-stage":
            rc = report(build, out, {"REARVIEW_TEST_STAGE_DELAY": "lut:40"})
            if rc != 1:
                fail(f"a lut stage 40 ms slower passed the gate (exit {rc}, expected 1)")
            regressions = json.load(open(out / "results.json"))["gate"]["regressions"]
            if not any("gpu_lut_ms" in r for r in regressions):
                fail(f"the regressions do not name the lut stage: {regressions}")
        elif mode == "no-timestamps":
            rc = report(build, out, {"REARVIEW_TEST_NO_GPU_TIMESTAMPS": "1"})
            if rc not in (0, 1):
                fail(f"the report did not complete without GPU timestamps (exit {rc})")
            summary = (out / "summary.md").read_text()
            if "## Missing" not in summary or "no GPU stage times" not in summary:
                fail("the summary does not say that the GPU stage times are missing")
            if not (out / "results.json").exists() or not (out / "plots.json").exists():
                fail("the report's files were not all written")
        else:
            fail(f"unknown mode {mode}")
    print(f"PASS: {mode}")


if __name__ == "__main__":
    main()
