# Opens the concentration fields a `simulate` run wrote (DIR/fields/*.xmf with their .h5) in
# ParaView's own readers, as a user would, and checks what they see: every time step of the
# sidecar, a non-empty mesh, and the concentration array with finite, non-negative values.
# Run with pvpython (Debian: paraview, python3-paraview); the `paraview` ctest label runs it
# when CMake finds pvpython. Usage: pvpython open_fields.py FILE.xmf
import math
import re
import sys

from paraview.simple import Delete, UpdatePipeline, XDMFReader, Xdmf3ReaderS

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    expected_times = len(re.findall(r"<Time\b", f.read()))
failures = []
for name, make in (("XDMFReader", lambda: XDMFReader(FileNames=[path])),
                   ("Xdmf3ReaderS", lambda: Xdmf3ReaderS(FileName=[path]))):
    reader = make()
    times = list(reader.TimestepValues or [])
    UpdatePipeline(time=times[-1] if times else 0.0, proxy=reader)
    info = reader.GetDataInformation()
    arrays = {}
    for group in (reader.GetPointDataInformation(), reader.GetCellDataInformation()):
        for i in range(group.GetNumberOfArrays()):
            arrays[group.GetArray(i).GetName()] = group.GetArray(i).GetRange()
    print(f"{name}: {info.GetNumberOfPoints()} points, {info.GetNumberOfCells()} cells, "
          f"{len(times)} times (sidecar {expected_times}), arrays {arrays}")
    if len(times) != expected_times or expected_times == 0:
        failures.append(f"{name}: {len(times)} time steps, the sidecar lists {expected_times}")
    if info.GetNumberOfPoints() == 0 or info.GetNumberOfCells() == 0:
        failures.append(f"{name}: empty mesh")
    lo, hi = arrays.get("concentration_ug_per_cm3", (math.nan, math.nan))
    if not (math.isfinite(lo) and math.isfinite(hi) and lo >= 0 and hi > 0):
        failures.append(f"{name}: concentration_ug_per_cm3 missing or out of range ({lo}, {hi})")
    Delete(reader)
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
