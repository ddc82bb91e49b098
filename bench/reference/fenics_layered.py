#!/usr/bin/python3
"""Reference solver for the layered benchmark problem of bench/bench_transport.cpp: FEniCS.

The problem, its exact solution and the grid family are defined in scipy_layered.py (imported
from there, so the three implementations cannot drift apart): a 0.5 x 0.5 x 1 mm box, three
layers with a D K contrast of 1e4, a laterally varying donor potential on top, U = 0 at the
bottom, zero flux on the sides.

Discretisation: FEniCS 2019 (Debian python3-dolfin), continuous P1 on tetrahedra. The mesh is
BoxMesh(n, n, n) (6 tetrahedra per hexahedron) with its z node planes moved to the depths of
the finite-volume faces of scipy_layered.z_faces(n), so that every layer interface is a node
plane and the mesh grades exactly like the finite-volume grid. D K and k K are piecewise
constant (DG0, from the cell midpoints). Dirichlet conditions by symmetric elimination
(assemble_system), so the matrix stays symmetric positive definite.

The bilinear form is divided by (D K)_dermis L / n (the solution is unchanged), so that the
rows of the viable tissue are of order 1 like the unit rows assemble_system gives the Dirichlet
nodes; in SI units they would be about 1e-15 against 1.

Linear solver: PETSc CG preconditioned by hypre BoomerAMG (dolfin's "hypre_amg"). With
--amg aggressive (the default) BoomerAMG uses HMIS coarsening, extended+i interpolation and one
level of aggressive coarsening (pc_hypre_boomeramg_coarsen_type HMIS, interp_type ext+i,
agg_nl 1), hypre's usual advice for 3D problems. With strong threshold 0.25 it was the fastest
of the settings tried, or within 5 % of it (at n = 48 and 96, on 1 and 2 processes it took about
half the time of PETSc's defaults, --amg default; docs/performance.md lists them).

Stopping test: ||b - A x||_2 <= rtol ||b_f||_2 on the unpreconditioned residual
(ksp_norm_type unpreconditioned), rtol = 1e-8 by default, where b_f is b with the Dirichlet rows
set to zero: the load the boundary values put on the free nodes. That is the criterion of
needlework's MultigridSolver, whose right-hand side is exactly such a boundary load. Relative to
||b|| itself, whose Dirichlet rows hold the O(1) boundary values while the load on the free
nodes is O(1e-4) (it enters through the stratum corneum), the test is met early: at n = 32 after
3 iterations, with an error 13 % away from the converged one (and, without the scaling above,
after one iteration with 60 times the discretisation error). --pc selects another of dolfin's
preconditioners (petsc_amg, ilu, jacobi, ...).

Accuracy: relative L2 error of U over the viable tissue (z > 15 um), nodal values weighted by the
lumped mass of the viable part (w_i = integral over z > 15 um of the hat function of node i):
sqrt(sum w (U_h - U)^2 / sum w U^2).

Times (time.perf_counter; with MPI taken after a barrier, so the slowest rank), medians over
--repeat runs of the whole sequence, excluding the mesh, the form compilation (a warm-up on a
tiny mesh compiles the forms first) and the error evaluation:
  t_assemble  assemble_system (matrix and right-hand side, Dirichlet conditions applied)
  t_setup     the AMG hierarchy (KSPSetUp)
  t_solve     the CG iteration
  t_total     the sum (median of the per-run sums)
The last line is machine-readable: RESULT key=value ..., read by bench_transport.cpp.

Usage: /usr/bin/python3 bench/reference/fenics_layered.py --n 64
       mpirun -n 2 /usr/bin/python3 bench/reference/fenics_layered.py --n 64   (2 processes)
"""

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import scipy_layered as problem  # noqa: E402


def build(n, dolfin):
    """Mesh, function space and the piecewise-constant coefficients for grid n."""
    d = dolfin
    comm = d.MPI.comm_world
    mesh = d.BoxMesh(comm, d.Point(0.0, 0.0, 0.0), d.Point(problem.L_XY, problem.L_XY, problem.H_Z), n, n, n)
    # Move the z node planes (k H / n) to the finite-volume face depths.
    zf = problem.z_faces(n)
    coords = mesh.coordinates()
    plane = np.rint(coords[:, 2] / problem.H_Z * n).astype(int)
    coords[:, 2] = zf[plane]
    mesh.bounding_box_tree().build(mesh)
    space = d.FunctionSpace(mesh, "P", 1)
    dg0 = d.FunctionSpace(mesh, "DG", 0)
    mid_z = np.array([c.midpoint().z() for c in d.cells(mesh)])
    layer = problem.layer_of_depth(mid_z)
    conductivity = d.Function(dg0)  # D K
    reaction = d.Function(dg0)  # k K
    dofmap = dg0.dofmap()
    cell_dofs = np.array([dofmap.cell_dofs(c.index())[0] for c in d.cells(mesh)])
    dk = np.array([lay[1] * lay[2] for lay in problem.LAYERS])[layer]
    kk = np.array([lay[3] * lay[2] for lay in problem.LAYERS])[layer]
    values = np.zeros(dofmap.index_map().size(d.IndexMap.MapSize.OWNED))
    values[cell_dofs] = dk
    conductivity.vector().set_local(values)
    conductivity.vector().apply("insert")
    values[cell_dofs] = kk
    reaction.vector().set_local(values)
    reaction.vector().apply("insert")
    viable = d.MeshFunction("size_t", mesh, 3, 0)
    viable.array()[:] = (mid_z > problem.VIABLE_FROM).astype(np.uintp)
    return mesh, space, conductivity, reaction, viable


def forms(space, conductivity, reaction, n, dolfin):
    d = dolfin
    u, v = d.TrialFunction(space), d.TestFunction(space)
    scale = d.Constant(n / (problem.LAYERS[2][1] * problem.LAYERS[2][2] * problem.L_XY))
    a = scale * (conductivity * d.inner(d.grad(u), d.grad(v)) * d.dx + reaction * u * v * d.dx)
    rhs = d.Constant(0.0) * v * d.dx
    top = d.Expression(
        "m + amp * cos(pi * x[0] / l) * cos(pi * x[1] / l)",
        degree=4,
        m=problem.U_TOP_MEAN,
        amp=problem.U_TOP_AMPLITUDE,
        l=problem.L_XY,
    )
    h = problem.H_Z
    bcs = [
        d.DirichletBC(space, top, f"on_boundary && near(x[2], 0.0, {1e-9 * h})"),
        d.DirichletBC(space, d.Constant(0.0), f"on_boundary && near(x[2], {h!r}, {1e-9 * h})"),
    ]
    return a, rhs, bcs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=32, help="cells per side (multiple of 16); P1 nodes (n+1)^3")
    p.add_argument("--rtol", type=float, default=1e-8)
    p.add_argument("--pc", default="hypre_amg", help="dolfin preconditioner name (hypre_amg, petsc_amg, ilu, ...)")
    p.add_argument("--strong-threshold", type=float, default=0.25, help="BoomerAMG strong threshold")
    p.add_argument(
        "--amg",
        default="aggressive",
        choices=["aggressive", "default"],
        help="BoomerAMG coarsening: HMIS, ext+i, agg_nl 1 (aggressive) or PETSc's defaults",
    )
    p.add_argument("--petsc", action="append", default=[], help="extra PETSc option key=value (prefix nw_)")
    p.add_argument("--repeat", type=int, default=1, help="assemble and solve this many times; times are medians")
    args = p.parse_args()

    import dolfin as d

    d.set_log_level(d.LogLevel.WARNING)
    d.parameters["linear_algebra_backend"] = "PETSc"
    comm = d.MPI.comm_world
    rank, size = d.MPI.rank(comm), d.MPI.size(comm)

    # Warm-up on a tiny mesh: compiles the forms and expressions (JIT, cached) outside the timings.
    mesh0, space0, c0, r0, _ = build(16, d)
    a0, l0, bcs0 = forms(space0, c0, r0, 16, d)
    d.assemble_system(a0, l0, bcs0)

    mesh, space, conductivity, reaction, viable = build(args.n, d)
    a, rhs, bcs = forms(space, conductivity, reaction, args.n, d)

    def now():
        d.MPI.barrier(comm)
        return time.perf_counter()

    d.PETScOptions.set("nw_ksp_norm_type", "unpreconditioned")
    if args.pc == "hypre_amg":
        d.PETScOptions.set("nw_pc_hypre_boomeramg_strong_threshold", args.strong_threshold)
        if args.amg == "aggressive":
            d.PETScOptions.set("nw_pc_hypre_boomeramg_coarsen_type", "HMIS")
            d.PETScOptions.set("nw_pc_hypre_boomeramg_interp_type", "ext+i")
            d.PETScOptions.set("nw_pc_hypre_boomeramg_agg_nl", 1)
    for kv in args.petsc:
        key, _, value = kv.partition("=")
        d.PETScOptions.set("nw_" + key, value)
    times = []
    for _ in range(args.repeat):
        t0 = now()
        A, b = d.assemble_system(a, rhs, bcs)
        t1 = now()
        b_free = b.copy()
        for bc in bcs:
            bc0 = d.DirichletBC(bc)
            bc0.homogenize()
            bc0.apply(b_free)
        b_free_norm = b_free.norm("l2")
        solver = d.PETScKrylovSolver("cg", args.pc)
        solver.set_options_prefix("nw_")
        solver.parameters["relative_tolerance"] = 1e-30
        solver.parameters["absolute_tolerance"] = args.rtol * b_free_norm
        solver.parameters["maximum_iterations"] = 100000
        solver.parameters["error_on_nonconvergence"] = True
        solver.set_from_options()
        solver.set_operator(A)
        uh = d.Function(space)
        t2 = now()
        solver.ksp().setUp()
        t3 = now()
        iterations = solver.solve(uh.vector(), b)
        t4 = now()
        times.append((t1 - t0, t3 - t2, t4 - t3, (t1 - t0) + (t4 - t2)))
    t_assemble, t_setup, t_solve, t_total = (float(np.median([t[i] for t in times])) for i in range(4))

    # True residual and the error against the analytic solution.
    r = b.copy()
    A.mult(uh.vector(), r)
    r.axpy(-1.0, b)
    rel_res = r.norm("l2") / b_free_norm
    coords = space.tabulate_dof_coordinates()
    exact = d.Function(space)
    exact.vector().set_local(problem.analytic_solution(coords[:, 0], coords[:, 1], coords[:, 2]))
    exact.vector().apply("insert")
    dx_viable = d.Measure("dx", domain=mesh, subdomain_data=viable)
    w = d.assemble(d.TestFunction(space) * dx_viable(1))
    diff = uh.vector() - exact.vector()
    num = (diff * diff).inner(w)
    den = (exact.vector() * exact.vector()).inner(w)
    err = math.sqrt(num / den)
    ndofs = space.dim()
    method = f"cg-{args.pc}" + (f"-{args.amg}" if args.pc == "hypre_amg" else "")
    if rank == 0:
        print(
            f"dolfin {d.__version__}, {size} process(es): n {args.n}, {ndofs} P1 dofs, cg + {args.pc}"
            + (f" ({args.amg}, strong threshold {args.strong_threshold})" if args.pc == "hypre_amg" else "")
            + f": iterations {iterations}, relative residual {rel_res:.3g}, viable L2 error {err:.4g}; "
            f"assemble {t_assemble:.3f} s, setup {t_setup:.3f} s, solve {t_solve:.3f} s, total {t_total:.3f} s "
            f"(medians of {args.repeat})"
        )
        print(
            f"RESULT solver=fenics method={method} processes={size} n={args.n} unknowns={ndofs} "
            f"iterations={iterations} relative_residual={rel_res:.6g} error={err:.6g} t_assemble={t_assemble:.6f} "
            f"t_setup={t_setup:.6f} t_solve={t_solve:.6f} t_total={t_total:.6f} repeat={args.repeat} converged=1"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
