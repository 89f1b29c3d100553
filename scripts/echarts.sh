#!/usr/bin/env bash
# Rebuilds the vendored public/echarts/echarts.min.js from the npm `echarts` package with
# only the chart types and components in scripts/echarts/entry.mjs. The output is committed:
# building or testing Pacesetter never runs this.
set -euo pipefail
cd "$(dirname "$0")/echarts"
npm ci --no-audit --no-fund
mkdir -p ../../public/echarts
npx esbuild entry.mjs --bundle --minify --format=iife --target=es2019 \
  --legal-comments=none --outfile=../../public/echarts/echarts.min.js
cp node_modules/echarts/LICENSE node_modules/echarts/NOTICE ../../public/echarts/
echo "ECharts $(node -p 'require("echarts/package.json").version'): $(wc -c < ../../public/echarts/echarts.min.js) bytes"
