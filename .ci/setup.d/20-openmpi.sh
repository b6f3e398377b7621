#!/usr/bin/env bash
# Open MPI for the distributed tests (they start real `mpirun -np 2` and `-np 3` jobs): Debian's openmpi-bin and libopenmpi3.
set -euo pipefail
if command -v mpirun >/dev/null 2>&1 && [ -e /usr/lib/x86_64-linux-gnu/libmpi.so.40 -o -n "$(ldconfig -p 2>/dev/null | grep libmpi.so.40)" ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends openmpi-bin libopenmpi3
