#!/usr/bin/env bash
# Vendor the web shell's third-party browser code from the npm registry into
# kernel/web/static/vendor/ (no CDN at runtime). Re-run after changing a version below; commit the
# result together with VERSIONS.txt, which records what was taken and its integrity hash.
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX=2.0.11
ECHARTS=6.1.0
SWAGGER_UI=5.35.0

target=kernel/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund \
  "htmx.org@$HTMX" "echarts@$ECHARTS" "swagger-ui-dist@$SWAGGER_UI")

rm -rf "$target" && mkdir -p "$target/swagger-ui"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$target/htmx.min.js"
cp "$work/node_modules/htmx.org/LICENSE" "$target/htmx.LICENSE"
cp "$work/node_modules/echarts/dist/echarts.min.js" "$target/echarts.min.js"
cp "$work/node_modules/echarts/LICENSE" "$target/echarts.LICENSE"
for file in swagger-ui-bundle.js swagger-ui.css LICENSE; do
  cp "$work/node_modules/swagger-ui-dist/$file" "$target/swagger-ui/$file"
done

{
  echo "# Vendored by scripts/vendor_static.sh from the npm registry; do not edit by hand."
  for package in htmx.org echarts swagger-ui-dist; do
    node -e "const l=require('$work/package-lock.json').packages['node_modules/$package'];
             console.log('$package', l.version, l.integrity)"
  done
} > "$target/VERSIONS.txt"
echo "vendored into $target:"; cat "$target/VERSIONS.txt"
