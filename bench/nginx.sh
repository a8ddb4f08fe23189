# Shared by bench/engine.sh and bench/proxy.sh (sourced, not run): installs what is missing,
# builds the release binary, starts one nginx worker on two free loopback ports (plain HTTP and
# HTTPS, a fixed 6-byte answer) and stops it on exit; and the small helpers both scripts use.
#
#   BENCH_TOOLS="nginx wrk openssl" . bench/nginx.sh    # then $bin, $tmp, $HTTP_PORT, $HTTPS_PORT

need() { command -v "$1" >/dev/null 2>&1; }
missing=()
for tool in ${BENCH_TOOLS:-nginx openssl}; do
  if [ "$tool" = nginx ]; then
    need nginx || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  else
    need "$tool" || missing+=("$tool")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (apt-get)…" >&2
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

swift build -c release --product stress-ci >/dev/null
bin=$PWD/.build/release/stress-ci

tmp=$(mktemp -d)
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: bind port 0 and read what the kernel chose.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
mkdir -p "$tmp/nginx"
cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 30000;
daemon off;
master_process off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 20000; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$HTTP_PORT backlog=16384;
    listen 127.0.0.1:$HTTPS_PORT ssl backlog=16384;
    ssl_certificate $tmp/cert.pem;
    ssl_certificate_key $tmp/key.pem;
    location / { default_type text/plain; return 200 "hello\n"; }
  }
}
CONF
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
"$NGINX" -c "$tmp/nginx.conf" -p "$tmp" &
nginx_pid=$!
up=0
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$HTTP_PORT/" >/dev/null 2>&1 && { up=1; break; }
  sleep 0.1
done
[ "$up" = 1 ] || { echo "nginx did not answer on 127.0.0.1:$HTTP_PORT" >&2; exit 2; }

# CPU seconds (user + system) and peak RSS of a command, from GNU time.
timed() { # file, command…
  local out=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$out" "$@"
}
cpu_of() { awk 'END { printf "%.2f", $1 + $2 }' "$1"; }
rss_mib_of() { awk 'END { printf "%.0f", $3 / 1024 }' "$1"; }
per100k() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", (n > 0) ? c * 100000 / n : 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
