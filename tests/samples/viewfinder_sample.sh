#!/usr/bin/env bash
# rearview-viewfinder as a user runs it.
#   viewfinder_sample.sh BINARY camera   3 s against the virtual camera, headless: exit 0,
#                                        a 904x572 snapshot and a JSON trace with events
#   viewfinder_sample.sh BINARY usage    bad options: exit 2 with a usage message
#   viewfinder_sample.sh BINARY kill9    a 1080p recording from 50 MP frames, SIGKILLed 2.5 s into it:
#                                        the file plays (ffprobe counts frames, ffmpeg decodes them)
#   viewfinder_sample.sh BINARY badlut   a pipeline naming a malformed .cube: exit 1 naming file:line
set -uo pipefail
bin=$1 mode=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

case "$mode" in
camera)
    "$bin" --camera main --target headless --duration 3 --pipeline "$REARVIEW_PIPELINES_DIR/vivid.yaml" \
        --snapshot "$work/snap.png" --trace "$work/trace.json" >"$work/out" 2>&1
    rc=$?
    cat "$work/out"
    [ $rc -eq 0 ] || fail "exit code $rc"
    grep -q "rearview-viewfinder summary" "$work/out" || fail "no summary"
    python3 - "$work/snap.png" "$work/trace.json" <<'PY' || fail "snapshot or trace invalid"
import json, sys, cv2
img = cv2.imread(sys.argv[1])
assert img is not None and img.shape[:2] == (572, 904), f"snapshot shape {None if img is None else img.shape}"
assert img.std() > 5, "snapshot is flat"
events = json.load(open(sys.argv[2]))["traceEvents"]
names = {e["name"] for e in events}
cats = {e.get("cat") for e in events}
assert any(e["ph"] == "X" for e in events), "no complete events"
assert "crop_scale" in names and "lut" in names, f"no stage spans in {sorted(names)[:20]}"
assert "present" in cats or any("present" in n for n in names), "no present events"
print(f"snapshot {img.shape[1]}x{img.shape[0]}, trace {len(events)} events")
PY
    ;;
usage)
    for args in "--bogus" "--zoom 20" "--target moon" "--size 12" "--camera"; do
        # shellcheck disable=SC2086
        "$bin" $args >"$work/out" 2>&1
        rc=$?
        [ $rc -eq 2 ] || { cat "$work/out"; fail "'$args' exited $rc, not 2"; }
        grep -q -- "--help" "$work/out" || fail "'$args' printed no usage hint"
    done
    "$bin" --help | grep -q "usage: rearview-viewfinder" || fail "--help printed no usage"
    # An unknown camera is a runtime error that names it.
    "$bin" --camera no-such-camera --target headless --duration 1 >"$work/out" 2>&1
    rc=$?
    [ $rc -eq 1 ] || fail "unknown camera exited $rc"
    grep -q "no-such-camera" "$work/out" || { cat "$work/out"; fail "error does not name the camera"; }
    ;;
kill9)
    "$bin" --synthetic --size 8160x6120 --target headless --duration 30 --quiet \
        --record "$work/clip.mp4" --record-size 1080p --record-codec h264 >"$work/out" 2>&1 &
    pid=$!
    # 2.5 s into the recording: from when the sample says it started (after measuring).
    for _ in $(seq 300); do grep -q "^recording " "$work/out" && break; sleep 0.1; done
    grep -q "^recording " "$work/out" || { kill -9 "$pid"; cat "$work/out"; fail "the recording did not start"; }
    sleep 2.5
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    [ -s "$work/clip.mp4" ] || { cat "$work/out"; fail "no file after kill -9"; }
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
        -of csv=p=0 "$work/clip.mp4")
    echo "kill -9 at 2.5 s: $(stat -c %s "$work/clip.mp4") bytes, $frames frames"
    [ "${frames:-0}" -ge 1 ] || fail "the file has no playable frame"
    ffmpeg -v error -i "$work/clip.mp4" -f null - 2>"$work/decode" || { cat "$work/decode"; fail "decode failed"; }
    [ -s "$work/decode" ] && { cat "$work/decode"; fail "decode errors"; }
    ;;
badlut)
    mkdir -p "$work/luts"
    printf 'LUT_3D_SIZE 2\n0 0 0\n1 0 zero\n' >"$work/luts/bad.cube"
    printf 'version: 1\nviewfinder:\n  - lut: {file: luts/bad.cube}\n' >"$work/bad.yaml"
    "$bin" --synthetic --target headless --duration 1 --pipeline "$work/bad.yaml" >"$work/out" 2>&1
    rc=$?
    cat "$work/out"
    [ $rc -eq 1 ] || fail "a malformed LUT exited $rc, not 1"
    grep -q "bad.cube:3" "$work/out" || fail "the error does not name bad.cube:3"
    ;;
*) fail "unknown mode $mode" ;;
esac
echo PASS
