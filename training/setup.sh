#!/usr/bin/env bash
# Installs what the training pipeline needs from Debian's packages (not needed for the app or npm test):
# PyTorch, ONNX, matplotlib for the curves, and OpenBLAS (without it Debian's torch is ~40x slower).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if /usr/bin/python3 -c 'import torch, onnx, matplotlib' 2>/dev/null && dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "training dependencies already installed"
  exit 0
fi
apt-get update -qq
apt-get install -y -qq python3-torch python3-onnx python3-matplotlib libopenblas0-pthread
/usr/bin/python3 -c 'import torch, onnx; print("torch", torch.__version__, "onnx", onnx.__version__)'
