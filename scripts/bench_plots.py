"""The latency report's plots (scripts/bench-report), drawn with matplotlib from Debian.
Each plot is WIDTH x HEIGHT pixels; write_all() returns, per file, its size and how many
series it draws, which the report's test checks against the PNG itself."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WIDTH, HEIGHT, DPI = 1000, 560, 100


def _figure():
    fig, ax = plt.subplots(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    return fig, ax


def _save(fig, ax, out, name, series, title, xlabel, ylabel):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    ax.grid(True, alpha=0.3)
    if series:
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    # exactly WIDTH x HEIGHT: no bbox trimming
    fig.savefig(out / name, dpi=DPI)
    plt.close(fig)
    return {"file": name, "width": WIDTH, "height": HEIGHT, "series": series, "title": title}


def _ok(results):
    return [r for r in results["runs"] if not r.get("error") and r.get("frames")]


def latency_cdf(results, out):
    fig, ax = _figure()
    series = 0
    for run in _ok(results):
        v = sorted(f["sensor_to_presented_ms"] for f in run["frames"]
                   if f["sensor_to_presented_ms"] is not None and not f["warmup"])
        if not v:
            continue
        ax.plot(v, [(i + 1) / len(v) for i in range(len(v))], label=run["name"], drawstyle="steps-post")
        series += 1
    return _save(fig, ax, out, "latency_cdf.png", series, "Latency CDF per run (frames shown, after the warm-up)",
                 "sensor → presented (ms)", "share of frames shown")


def timeline(results, out):
    fig, ax = _figure()
    runs = _ok(results)
    run = next((r for r in runs if r["name"].endswith("recording-off") and r["pipeline"] != "no-pipeline"),
               runs[0] if runs else None)
    series = 0
    if run:
        frames = run["frames"]
        t0 = frames[0]["sensor_ns"]
        x = [(f["sensor_ns"] - t0) / 1e9 for f in frames]
        bottom = [0.0] * len(frames)
        gaps = sorted(b - a for a, b in zip(x, x[1:]) if b > a)
        width = (gaps[len(gaps) // 2] if gaps else 0.03) * 0.8
        for stage in run["stages"]:
            h = [f["gpu_ms"].get(stage, 0.0) for f in frames]
            ax.bar(x, h, width=width, bottom=bottom, label=f"GPU {stage}", alpha=0.7)
            bottom = [b + v for b, v in zip(bottom, h)]
            series += 1
        ax.plot(x, [f["sensor_to_ready_ms"] for f in frames], "k.-", lw=1, ms=3, label="sensor → ready")
        ax.plot(x, [f["sensor_to_presented_ms"] if f["sensor_to_presented_ms"] is not None else float("nan")
                    for f in frames], "r.-", lw=1, ms=3, label="sensor → presented")
        series += 2
        warm = [xi for xi, f in zip(x, frames) if f["warmup"]]
        if warm:
            ax.axvspan(0, max(warm), color="grey", alpha=0.15, lw=0)
    return _save(fig, ax, out, "timeline.png", series,
                 f"Per-frame timeline: {run['name'] if run else 'no run'} (GPU stages stacked; grey: warm-up)",
                 "sensor time (s)", "ms")


def present_histogram(results, out):
    fig, ax = _figure()
    series = 0
    for run in _ok(results):
        if run["recording"] or run["source"] != "synthetic":
            continue
        v = [min(x, 60.0) for x in run["present_intervals_ms"]]
        if not v:
            continue
        ax.hist(v, bins=[i * 0.5 for i in range(0, 121)], histtype="step", label=run["name"], log=True)
        series += 1
    ax.axvline(1000 / 120, color="grey", ls="--", lw=0.8)
    return _save(fig, ax, out, "present_intervals.png", series, "Present intervals, synthetic source, recording off",
                 "present interval (ms; 8.33 = one 120 Hz refresh; longer ones shown at 60)", "presents")


def missed_over_time(results, out):
    fig, ax = _figure()
    series = 0
    for run in _ok(results):
        pts = run["missed_refreshes"]
        xs = [0.0] + [p["t_s"] for p in pts] + [run["seconds"]]
        ys = [0] + [p["total"] for p in pts] + [pts[-1]["total"] if pts else 0]
        ax.step(xs, ys, where="post", label=run["name"])
        series += 1
    return _save(fig, ax, out, "missed_refreshes.png", series, "Missed refreshes over time",
                 "time since the viewfinder started (s)", "missed refreshes (cumulative)")


def recording_on_off(results, out):
    fig, ax = _figure()
    pairs = {}
    for run in _ok(results):
        key = f"{run['source']}/{run['pipeline']}"
        pairs.setdefault(key, {})[run["recording"]] = run["figures"]["sensor_to_presented_ms"]["p50"]
    keys = sorted(pairs)
    xs = range(len(keys))
    series = 0
    for offset, on, label in ((-0.2, False, "recording off"), (0.2, True, "recording 1080p")):
        ys = [pairs[k].get(on) or 0.0 for k in keys]
        if any(ys):
            ax.bar([x + offset for x in xs], ys, width=0.4, label=label)
            series += 1
    ax.set_xticks(list(xs))
    ax.set_xticklabels(keys, fontsize=8)
    return _save(fig, ax, out, "recording_on_off.png", series, "Panel latency with a recording beside it",
                 "source / pipeline", "sensor → presented p50 (ms)")


def write_all(results, out):
    return [f(results, out) for f in (latency_cdf, timeline, present_histogram, missed_over_time,
                                      recording_on_off)]
