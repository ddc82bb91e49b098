#!/usr/bin/python3
"""Reference solver for the layered benchmark problem of bench/bench_transport.cpp: SciPy.

The problem (the same in bench_transport.cpp, this file and fenics_layered.py; SI units):

  -div(D K grad U) + k K U = 0   in [0, L] x [0, L] x [0, H],  L = 0.5 mm, H = 1 mm
  U = 1 + 0.5 cos(pi x / L) cos(pi y / L)   on z = 0 (a donor patch, given as the potential)
  U = 0                                       on z = H (perfect sink)
  zero flux on the four sides

with three layers, top first (D K contrast 1e4 between the first layer and the others):

  stratum corneum   15 um   D = 1e-15 m2/s  K = 10   k = 0
  viable epidermis  85 um   D = 1e-10       K = 1    k = 0
  dermis           900 um   D = 2e-10       K = 0.5  k = 1e-3 /s

The exact solution separates: U = f0(z) + 0.5 cos(pi x / L) cos(pi y / L) f1(z), where in every
layer f'' = mu^2 f with mu^2 = kx^2 + ky^2 + k / D, f and D K f' continuous at the interfaces,
f(0) = 1, f(H) = 0 (analytic_solution below).

Grid n (n a multiple of 16): n x n uniform cells in x and y; in z the layers get n/16, n/4 and
n - n/16 - n/4 uniform cells. The discretisation here is the one of needlework's
DiffusionOperator (cell-centred finite volumes, 7-point stencil, harmonic-mean transmissibilities,
Dirichlet potential at the face centres), so at the same n the discrete solution is the same as
the one bench_transport.cpp computes; only the linear solver differs.

Accuracy: relative L2 error of U over the viable tissue (z > 15 um), with the cell-centre values
and cell volumes as the quadrature: sqrt(sum V (U_h - U)^2 / sum V U^2).

Linear solvers (SciPy has no algebraic multigrid; pyamg is not packaged for Debian 12):
  bicgstab-ilu  BiCGSTAB preconditioned by scipy.sparse.linalg.spilu (SuperLU ILUTP, natural
                ordering, no pivoting; drop_tol 1e-4, fill_factor 4 by default). The ILU factors
                are not symmetric, so CG with them diverges on this problem; BiCGSTAB (or GMRES)
                is what SciPy offers with an ILU preconditioner.
  gmres-ilu     GMRES(50) with the same ILU
  cg-jacobi     conjugate gradients preconditioned by the inverse diagonal
  direct        scipy.sparse.linalg.splu (SuperLU, COLAMD ordering)
Iterative solvers stop at ||r||_2 <= rtol ||b||_2 (rtol = 1e-8 by default, r the solver's own
residual), the criterion of needlework's MultigridSolver; the true relative residual is printed.
The system is scaled by 1 / mean(diagonal) before solving (the solution is unchanged): in SI units
its entries are about 1e-19 m^3/s, and SciPy's BiCGSTAB tests breakdown against absolute
thresholds (eps^2), which it then reports after one iteration.

Times (time.perf_counter, one process; SciPy's sparse kernels are single-threaded), medians over
--repeat runs of the whole sequence:
  t_assemble  building the (scaled) matrix and right-hand side from the coefficients
  t_setup     building the preconditioner or the factorisation
  t_solve     the iteration (or the triangular solves)
  t_total     the sum (median of the per-run sums)
The last line is machine-readable: RESULT key=value ..., read by bench_transport.cpp.

Usage: /usr/bin/python3 bench/reference/scipy_layered.py --n 64 [--method bicgstab-ilu] [--rtol 1e-8]
"""

import argparse
import math
import sys
import time

import numpy as np

# --- the problem --------------------------------------------------------------------------------

L_XY = 0.5e-3  # side of the box in x and y [m]
LAYERS = (  # thickness [m], D [m2/s], K, k_sink [1/s], top first
    (15e-6, 1e-15, 10.0, 0.0),
    (85e-6, 1e-10, 1.0, 0.0),
    (900e-6, 2e-10, 0.5, 1e-3),
)
H_Z = sum(layer[0] for layer in LAYERS)
U_TOP_MEAN = 1.0
U_TOP_AMPLITUDE = 0.5
VIABLE_FROM = LAYERS[0][0]  # the error is measured below the stratum corneum


def cells_per_layer(n):
    if n < 16 or n % 16:
        raise ValueError("n must be a positive multiple of 16")
    return (n // 16, n // 4, n - n // 16 - n // 4)


def z_faces(n):
    """Depths of the n + 1 z faces: uniform cells inside each layer."""
    faces = [0.0]
    top = 0.0
    for (thickness, _, _, _), cells in zip(LAYERS, cells_per_layer(n)):
        for c in range(1, cells + 1):
            faces.append(top + thickness * c / cells)
        top += thickness
    return np.array(faces)


def layer_of_depth(z):
    """Layer index of depth(s) z (interfaces belong to the layer below)."""
    tops = np.cumsum([0.0] + [layer[0] for layer in LAYERS])
    return np.clip(np.searchsorted(tops, z, side="right") - 1, 0, len(LAYERS) - 1)


def _profile(k_lateral2):
    """Per-layer (f, f') at the top of each layer for f(0) = 1, f(H) = 0."""

    def shoot(f, g):  # g = D K f' (continuous across interfaces)
        tops = []
        for thickness, d, k, sink in LAYERS:
            mu = math.sqrt(k_lateral2 + sink / d)
            fp = g / (d * k)
            tops.append((f, fp, mu))
            c = math.cosh(mu * thickness)
            s_over_mu = math.sinh(mu * thickness) / mu if mu > 0 else thickness
            mu_s = mu * math.sinh(mu * thickness)
            f, fp = f * c + fp * s_over_mu, f * mu_s + fp * c
            g = d * k * fp
        return f, tops

    fa, _ = shoot(1.0, 0.0)
    fb, _ = shoot(0.0, 1.0)
    _, tops = shoot(1.0, -fa / fb)
    return tops


def _evaluate(tops, z):
    z = np.asarray(z, dtype=float)
    layer = layer_of_depth(z)
    layer_tops = np.cumsum([0.0] + [lay[0] for lay in LAYERS])
    out = np.empty_like(z)
    for lay, (f, fp, mu) in enumerate(tops):
        sel = layer == lay
        dz = z[sel] - layer_tops[lay]
        if mu > 0:
            out[sel] = f * np.cosh(mu * dz) + fp * np.sinh(mu * dz) / mu
        else:
            out[sel] = f + fp * dz
    return out


_TOPS0 = _profile(0.0)
_TOPS1 = _profile(2.0 * (math.pi / L_XY) ** 2)


def analytic_solution(x, y, z):
    """Exact U at points (arrays broadcast together)."""
    x, y, z = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(z, float))
    lateral = np.cos(math.pi * x / L_XY) * np.cos(math.pi * y / L_XY)
    return U_TOP_MEAN * _evaluate(_TOPS0, z) + U_TOP_AMPLITUDE * lateral * _evaluate(_TOPS1, z)


def top_value(x, y):
    return U_TOP_MEAN + U_TOP_AMPLITUDE * np.cos(math.pi * x / L_XY) * np.cos(math.pi * y / L_XY)


# --- the finite-volume system (as needlework's DiffusionOperator) -------------------------------


def assemble(n):
    """Matrix A (CSR), right-hand side b and the cell data; cells numbered z fastest."""
    import scipy.sparse as sp

    nx = ny = n
    zf = z_faces(n)
    dz = np.diff(zf)
    nz = dz.size
    zc = 0.5 * (zf[:-1] + zf[1:])
    hx = hy = L_XY / n
    layer = layer_of_depth(zc)
    d = np.array([LAYERS[lay][1] for lay in layer])
    k = np.array([LAYERS[lay][2] for lay in layer])
    sink = np.array([LAYERS[lay][3] for lay in layer])
    dk = d * k  # per z index: the coefficients depend on depth only
    # Per-cell arrays of shape (ny, nx, nz): index p = kz + nz (i + nx j).
    shape = (ny, nx, nz)
    tx = np.broadcast_to(hy * dz * dk / hx, shape).copy()  # coupling with i + 1 (equal D K)
    tx[:, -1, :] = 0.0
    ty = np.broadcast_to(hx * dz * dk / hy, shape).copy()  # coupling with j + 1
    ty[-1, :, :] = 0.0
    tz_col = np.zeros(nz)
    tz_col[:-1] = hx * hy / (0.5 * dz[:-1] / dk[:-1] + 0.5 * dz[1:] / dk[1:])
    tz = np.broadcast_to(tz_col, shape).copy()
    excess = np.broadcast_to(sink * k * hx * hy * dz, shape).copy()
    xc = (np.arange(nx) + 0.5) * hx
    yc = (np.arange(ny) + 0.5) * hy
    t_top = hx * hy * dk[0] / (0.5 * dz[0])
    t_bottom = hx * hy * dk[-1] / (0.5 * dz[-1])
    excess[:, :, 0] += t_top
    excess[:, :, -1] += t_bottom
    rhs = np.zeros(shape)
    rhs[:, :, 0] = t_top * top_value(xc[None, :], yc[:, None])  # U_b at the face centres; U = 0 below
    # Symmetric 7-point matrix: diagonal = excess + all couplings of the cell.
    diag = excess + tx + ty + tz
    diag[:, 1:, :] += tx[:, :-1, :]
    diag[1:, :, :] += ty[:-1, :, :]
    diag[:, :, 1:] += tz[:, :, :-1]
    N = nx * ny * nz
    up_z = -tz.ravel()[:-1]
    up_x = -tx.ravel()[: N - nz]
    up_y = -ty.ravel()[: N - nz * nx]
    a = sp.diags(
        [diag.ravel(), up_z, up_z, up_x, up_x, up_y, up_y],
        [0, 1, -1, nz, -nz, nz * nx, -nz * nx],
        shape=(N, N),
        format="csr",
    )
    cells = dict(nx=nx, ny=ny, nz=nz, hx=hx, hy=hy, dz=dz, zc=zc, xc=xc, yc=yc)
    return a, rhs.ravel(), cells


def viable_error(u, cells):
    """Relative L2 error of U below the stratum corneum (cell centres, volume weights)."""
    nx, ny, nz = cells["nx"], cells["ny"], cells["nz"]
    zc, xc, yc = cells["zc"], cells["xc"], cells["yc"]
    exact = analytic_solution(xc[None, :, None], yc[:, None, None], zc[None, None, :])
    vol = np.broadcast_to(cells["hx"] * cells["hy"] * cells["dz"], (ny, nx, nz))
    sel = np.broadcast_to(zc > VIABLE_FROM, (ny, nx, nz))
    err = u.reshape(ny, nx, nz) - exact
    num = np.sum((vol * err * err)[sel])
    den = np.sum((vol * exact * exact)[sel])
    return math.sqrt(num / den)


# --- solvers ------------------------------------------------------------------------------------


def solve(a, b, method, rtol, ilu_drop_tol, ilu_fill_factor, max_iterations):
    import scipy.sparse.linalg as spla

    info = {}
    t0 = time.perf_counter()
    if method == "direct":
        lu = spla.splu(a.tocsc(), permc_spec="COLAMD")
        t1 = time.perf_counter()
        x = lu.solve(b)
        t2 = time.perf_counter()
        info["iterations"] = 0
        info["fill"] = (lu.L.nnz + lu.U.nnz) / a.nnz
        return x, t1 - t0, t2 - t1, info
    if method == "cg-jacobi":
        inv_diag = 1.0 / a.diagonal()
        m = spla.LinearOperator(a.shape, matvec=lambda r: inv_diag * r, dtype=float)
    elif method in ("bicgstab-ilu", "gmres-ilu"):
        ilu = spla.spilu(
            a.tocsc(),
            drop_tol=ilu_drop_tol,
            fill_factor=ilu_fill_factor,
            permc_spec="NATURAL",
            diag_pivot_thresh=0.0,
        )
        m = spla.LinearOperator(a.shape, matvec=ilu.solve, dtype=float)
        info["fill"] = (ilu.L.nnz + ilu.U.nnz) / a.nnz
    else:
        raise ValueError(method)
    t1 = time.perf_counter()
    count = [0]

    def callback(_):
        count[0] += 1

    # SciPy 1.10: tol is relative to ||b|| (unpreconditioned residual); gmres counts inner iterations.
    x0 = np.zeros_like(b)
    if method == "cg-jacobi":
        x, status = spla.cg(a, b, x0=x0, tol=rtol, atol=0.0, M=m, maxiter=max_iterations, callback=callback)
    elif method == "bicgstab-ilu":
        x, status = spla.bicgstab(a, b, x0=x0, tol=rtol, atol=0.0, M=m, maxiter=max_iterations, callback=callback)
    else:
        x, status = spla.gmres(
            a,
            b,
            x0=x0,
            tol=rtol,
            atol=0.0,
            M=m,
            restart=50,
            maxiter=max(1, max_iterations // 50),
            callback=callback,
            callback_type="pr_norm",
        )
    t2 = time.perf_counter()
    info["iterations"] = count[0]
    info["status"] = status
    return x, t1 - t0, t2 - t1, info


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=32, help="cells per side in x and y, and in z (multiple of 16)")
    p.add_argument("--method", default="bicgstab-ilu", choices=["bicgstab-ilu", "gmres-ilu", "cg-jacobi", "direct"])
    p.add_argument("--rtol", type=float, default=1e-8)
    p.add_argument("--ilu-drop-tol", type=float, default=1e-4)
    p.add_argument("--ilu-fill-factor", type=float, default=4.0)
    p.add_argument("--max-iterations", type=int, default=100000)
    p.add_argument("--repeat", type=int, default=1, help="assemble and solve this many times; times are medians")
    args = p.parse_args()

    import scipy

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        a, b, cells = assemble(args.n)
        scale = 1.0 / a.diagonal().mean()
        a = (a * scale).tocsr()
        b = b * scale
        t_assemble = time.perf_counter() - t0
        x, t_setup, t_solve, info = solve(
            a, b, args.method, args.rtol, args.ilu_drop_tol, args.ilu_fill_factor, args.max_iterations
        )
        times.append((t_assemble, t_setup, t_solve, t_assemble + t_setup + t_solve))
    t_assemble, t_setup, t_solve, t_total = (float(np.median([t[i] for t in times])) for i in range(4))
    rel_res = float(np.linalg.norm(b - a @ x) / np.linalg.norm(b))
    err = viable_error(x, cells)
    print(
        f"scipy {scipy.__version__} numpy {np.__version__}: n {args.n}, {a.shape[0]} unknowns, {a.nnz} nonzeros, "
        f"method {args.method}: iterations {info['iterations']}, relative residual {rel_res:.3g}, "
        f"viable L2 error {err:.4g}; assemble {t_assemble:.3f} s, setup {t_setup:.3f} s, solve {t_solve:.3f} s, "
        f"total {t_total:.3f} s (medians of {args.repeat})"
        + (f", factor fill {info['fill']:.2f}x" if "fill" in info else "")
    )
    if info.get("status", 0) != 0:
        print(f"cg did not converge (status {info['status']})", file=sys.stderr)
    print(
        f"RESULT solver=scipy method={args.method} n={args.n} unknowns={a.shape[0]} iterations={info['iterations']} "
        f"relative_residual={rel_res:.6g} error={err:.6g} t_assemble={t_assemble:.6f} t_setup={t_setup:.6f} "
        f"t_solve={t_solve:.6f} t_total={t_total:.6f} repeat={args.repeat} converged={int(info.get('status', 0) == 0)}"
    )
    return 0 if info.get("status", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
