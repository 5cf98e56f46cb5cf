#!/usr/bin/env bash
# Runs the same load through nginx-rtmp (push) and through RtmpRelay (Release build), one after the other on this
# machine, with rtmprelay-loadtest (src/RtmpRelay.LoadTest) as publishers and counting destinations, and prints
# the ratios RtmpRelay / nginx-rtmp: CPU-seconds per GB delivered, peak RSS, memory per idle connection, and both
# relays' latency p50/p99 and drops.
#
#   tests/RtmpRelay.Benchmarks/compare-nginx.sh [options]
#
#   --workload KxN     K publishers x N destinations; repeatable. Default: 10x2
#   --bitrate RATE     Input bit rate (video + 128 kbit/s AAC), ffmpeg syntax. Default 4.1M
#   --duration S       Measured seconds per run. Default 30
#   --warmup S         Seconds before measuring. Default 3
#   --idle M           Idle connections for the memory-per-connection probe. Default 500 (0: skip)
#   --fast             Publishers send as fast as possible instead of in real time.
#   --only WHICH       Run only "nginx" or only "relay".
#   --relay-env V=X    Environment variable for RtmpRelay (repeatable), e.g. DOTNET_gcServer=0.
#   --relay-arg ARG    Extra RtmpRelay argument (repeatable), e.g. --Relay:SendQueueBytes=4194304.
#   --workdir DIR      Where the input FLV, configs and logs go. Default /tmp/rtmprelay-perf
#   --aot              Run the relay's Native AOT build (dotnet publish -p:PublishAot=true) instead of the JIT one.
#   --no-build         Use the existing Release builds.
#   --help
#
# Needs: the .NET 10 SDK, ffmpeg (to make the input once), nginx with libnginx-mod-rtmp, jq.
# Everything listens on 127.0.0.1 free ports; every process started here is stopped on exit.
set -euo pipefail
script=$(realpath "$0")
cd "$(dirname "$0")/../.."
repo=$(pwd)

workloads=()
bitrate=4.1M
duration=30
warmup=3
idle=500
fast=()
only=""
relay_env=()
relay_extra=()
workdir=/tmp/rtmprelay-perf
build=1
aot=0

usage() { sed -n '2,24p' "$script" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --workload) workloads+=("$2"); shift 2 ;;
    --bitrate) bitrate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --fast) fast=(--fast); shift ;;
    --only) only=$2; shift 2 ;;
    --relay-env) relay_env+=("$2"); shift 2 ;;
    --relay-arg) relay_extra+=("$2"); shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --aot) aot=1; shift ;;
    --no-build) build=0; shift ;;
    --help|-h) usage; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=(10x2)
for tool in dotnet ffmpeg nginx jq python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
nginx_module=/usr/lib/nginx/modules/ngx_rtmp_module.so
[ -f "$nginx_module" ] || { echo "nginx-rtmp is required: apt-get install libnginx-mod-rtmp" >&2; exit 2; }
mkdir -p "$workdir"

started=()
cleanup() {
  for pid in "${started[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

if [ "$build" = 1 ]; then
  dotnet build src/RtmpRelay -c Release -nologo -v q >/dev/null
  dotnet build src/RtmpRelay.LoadTest -c Release -nologo -v q >/dev/null
fi
relay=(dotnet "$repo/src/RtmpRelay/bin/Release/net10.0/RtmpRelay.dll")
if [ "$aot" = 1 ]; then
  if [ "$build" = 1 ] || [ ! -x "$workdir/aot/RtmpRelay" ]; then
    dotnet publish src/RtmpRelay -c Release -r linux-x64 -p:PublishAot=true -o "$workdir/aot" -nologo -v q >/dev/null
  fi
  relay=("$workdir/aot/RtmpRelay")
fi
loadtest=(dotnet "$repo/src/RtmpRelay.LoadTest/bin/Release/net10.0/rtmprelay-loadtest.dll")

# The input: 1280x720 30 fps H.264 (CBR, 2 s GOP, no B-frames) + 48 kHz stereo AAC at 128 kbit/s, 20 s, looped by the tool.
video_rate=$(python3 -c "import sys; s=sys.argv[1]; m={'k':1e3,'K':1e3,'M':1e6}; v=float(s[:-1])*m[s[-1]] if s[-1] in m else float(s); print(int(v-128e3))" "$bitrate")
flv=$workdir/input-$bitrate.flv
if [ ! -s "$flv" ]; then
  echo "making $flv"
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 20 \
    -c:v libx264 -preset veryfast -tune zerolatency -g 60 -pix_fmt yuv420p \
    -b:v "$video_rate" -minrate "$video_rate" -maxrate "$video_rate" -bufsize "$video_rate" -x264-params nal-hrd=cbr \
    -c:a aac -b:a 128k -ac 2 -f flv "$flv.tmp" && mv "$flv.tmp" "$flv"
fi

# COUNT consecutive free loopback ports; prints the first.
free_ports() {
  python3 - "$1" <<'EOF'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(50):
    base = random.randint(20000, 32000 - count)  # below the ephemeral range, where outgoing connections take ports
    sockets = []
    try:
        for port in range(base, base + count):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port)); sockets.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in sockets: s.close()
else:
    sys.exit("no free ports")
EOF
}

wait_listening() { # PORT PID
  for _ in $(seq 1 100); do
    kill -0 "$2" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

stop() { # PID
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# run_one LABEL K N -> prints the tool's output, leaves the JSON in $workdir/LABEL-KxN.json
run_one() {
  local label=$1 k=$2 n=$3 port sinks pid dir
  port=$(free_ports $((n + 1)))
  sinks=$((port + 1))
  dir=$workdir/$label-${k}x$n
  rm -rf "$dir"; mkdir -p "$dir/logs"
  if [ "$label" = nginx-rtmp ]; then
    {
      echo "load_module $nginx_module;"
      echo "daemon off; master_process off; worker_processes 1;"
      echo "pid $dir/nginx.pid; error_log $dir/logs/error.log warn;"
      echo "worker_rlimit_nofile 16384;"
      echo "events { worker_connections 8192; }"
      echo "rtmp { server { listen 127.0.0.1:$port; chunk_size 4096;"
      echo "  application live { live on;"
      for i in $(seq 0 $((n - 1))); do echo "    push rtmp://127.0.0.1:$((sinks + i))/live;"; done
      echo "} } }"
    } >"$dir/nginx.conf"
    nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >"$dir/logs/stdout.log" 2>&1 &
  else
    local args=("--Kestrel:Endpoints:Rtmp:Url=rtmp://127.0.0.1:$port")
    for i in $(seq 0 $((n - 1))); do
      args+=("--Relay:Applications:live:Destinations:d$i:Url=rtmp://127.0.0.1:$((sinks + i))/live/{stream}")
    done
    # nginx-rtmp has no count limits or start deadline: lift the relay's for the load (every client is 127.0.0.1, and
    # the idle-connection probe's connections connect and then wait).
    args+=(--Relay:Limits:MaxConnections=100000 --Relay:Limits:MaxConnectionsPerAddress=100000 --Relay:Limits:SessionStartTimeout=01:00:00)
    args+=("${relay_extra[@]}")
    # From its own folder, so the repository's appsettings.json (and its other endpoints) is not read.
    (cd "$dir" && exec env "${relay_env[@]}" "${relay[@]}" "${args[@]}" >"$dir/logs/relay.log" 2>&1) &
  fi
  pid=$!
  # The process to sample is the server itself, not a shell that may have stayed in between.
  sleep 0.5
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = bash ]; then
    pid=$(pgrep -P "$pid" | head -1)
  fi
  started+=("$pid")
  if ! wait_listening "$port" "$pid"; then
    echo "$label did not start; see $dir/logs" >&2
    stop "$pid"; return 1
  fi
  echo "== $label: $k publishers x $n destinations (pid $pid $(cat "/proc/$pid/comm"))"
  "${loadtest[@]}" --flv "$flv" --label "$label" --pid "$pid" --target "rtmp://127.0.0.1:$port/live" \
    --publishers "$k" --destinations "$n" --sink-port "$sinks" --duration "$duration" --warmup "$warmup" \
    --idle-connections "$idle" "${fast[@]}" | tee "$dir/loadtest.log" || true
  grep '^RESULT ' "$dir/loadtest.log" | sed 's/^RESULT //' >"$workdir/$label-${k}x$n.json" || true
  stop "$pid"
}

ratio() { # A B -> A/B with 2 decimals, or n/a
  python3 -c "import sys; a,b=sys.argv[1],sys.argv[2]; print('n/a' if a in ('','null') or b in ('','null') or float(b)==0 else '%.2f' % (float(a)/float(b)))" "$1" "$2"
}

summary=()
for workload in "${workloads[@]}"; do
  k=${workload%x*}; n=${workload#*x}
  [ "$only" = relay ] || run_one nginx-rtmp "$k" "$n"
  [ "$only" = nginx ] || run_one rtmprelay "$k" "$n"
  ng=$workdir/nginx-rtmp-${k}x$n.json; rr=$workdir/rtmprelay-${k}x$n.json
  get() { [ -s "$1" ] && jq -r ".$2 // empty" "$1" || echo ""; }
  summary+=("$(printf '%-7s %8s %8s %6s | %7s %7s %6s | %7s %7s %6s | %6s %6s %6s %6s | %6s %6s' \
    "${k}x$n" \
    "$(get "$ng" cpu_s_per_gb)" "$(get "$rr" cpu_s_per_gb)" "$(ratio "$(get "$rr" cpu_s_per_gb)" "$(get "$ng" cpu_s_per_gb)")" \
    "$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1])/1024) if sys.argv[1] else '')" "$(get "$ng" rss_peak_kib)")" \
    "$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1])/1024) if sys.argv[1] else '')" "$(get "$rr" rss_peak_kib)")" \
    "$(ratio "$(get "$rr" rss_peak_kib)" "$(get "$ng" rss_peak_kib)")" \
    "$(get "$ng" idle_kib_per_connection)" "$(get "$rr" idle_kib_per_connection)" \
    "$(ratio "$(get "$rr" idle_kib_per_connection)" "$(get "$ng" idle_kib_per_connection)")" \
    "$(get "$ng" latency_p50_ms)" "$(get "$ng" latency_p99_ms)" "$(get "$rr" latency_p50_ms)" "$(get "$rr" latency_p99_ms)" \
    "$(get "$ng" dropped)" "$(get "$rr" dropped)")")
done

echo
echo "RtmpRelay vs nginx-rtmp, same machine, one after the other (input $bitrate, ${duration} s measured${fast:+, as fast as possible}${relay_env:+, relay env ${relay_env[*]}})"
echo "        CPU-s/GB delivered      | peak RSS MiB (load)    | idle KiB/connection  | latency ms (nginx, relay)   | dropped"
echo "KxN        nginx    relay  ratio |   nginx   relay  ratio |   nginx   relay  ratio | p50    p99    p50    p99  |  nginx  relay"
for line in "${summary[@]}"; do echo "$line"; done
echo "(ratio = RtmpRelay / nginx-rtmp; the targets want CPU ratio <= 1.00. JSON per run: $workdir/*.json)"
