#!/usr/bin/env bash
# The packed benchmark (scripts/pack-bench) is one folder under 64 MiB that links none of
# libcamera, OpenCV, FFmpeg or SDL, and runs the viewfinder benchmark through its own `run`
# script with only the host's Vulkan loader and driver.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$top/scripts/pack-bench" "$work" >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; echo "FAIL: pack-bench failed"; exit 1; }
tail -1 "$work/pack.log"
pack="$work/rearview-bench"
for lib in "$pack"/lib/*; do
    case "$(basename "$lib")" in
        *camera* | *opencv* | *avcodec* | *avformat* | *SDL* | *vulkan*) echo "FAIL: packed $(basename "$lib")"; exit 1 ;;
    esac
done
# Its binary needs nothing beyond the packed runtime: every library ldd resolves is in lib/.
ldd "$pack/bin/rearview-bench-portable" | awk '/=>/ {print $1}' | while read -r name; do
    [ -e "$pack/lib/$name" ] || ls "$pack/lib" | grep -q "^${name%%.so*}\.so" || { echo "FAIL: $name is not packed"; exit 1; }
done
out=$(REARVIEW_BENCH_SIZE=2040x1530 REARVIEW_LOG=warning "$pack/run" \
    --benchmark_filter='viewfinder/vivid|crop_scale/(gpu|anchor/libyuv_box/threads:2)' 2>&1) || {
    echo "$out"; echo "FAIL: the packed benchmark exited non-zero"; exit 1; }
echo "$out" | tail -4
if echo "$out" | grep -q "ERROR OCCURRED"; then echo "FAIL: a packed benchmark reported an error"; exit 1; fi
for name in viewfinder/vivid/recording-off crop_scale/gpu crop_scale/anchor/libyuv_box/threads:2; do
    echo "$out" | grep -q "^$name" || { echo "FAIL: $name did not run"; exit 1; }
done
echo "PASS"
