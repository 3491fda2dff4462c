#!/bin/sh
# Demo data of the HTTP gateway: a bearer token of the province, so the dashboard
# (http://127.0.0.1:7780/) and the curl examples work at once. Kept in var/ (mode 600)
# and made only once: the next `make run` finds it again with the data.
set -e
dir=${VAR:-var}
file="$dir/dashboard-token"
if [ -s "$file" ]; then
  echo "dashboard token: $file (kept)"
  exit 0
fi
umask 077
innovctl token create --principal province --name 演示工作台 > "$file.tmp"
mv "$file.tmp" "$file"
echo "dashboard token (province): $file"
