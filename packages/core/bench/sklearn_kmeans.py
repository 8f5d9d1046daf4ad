"""scikit-learn baseline for bench/kmeans.ts.

Usage: python3 bench/sklearn_kmeans.py DATA.f64 N DIMS K N_INIT SEED
DATA.f64: the points as raw little-endian float64, row-major (written by bench/kmeans.ts).
Prints one JSON line: inertia, wall seconds, CPU seconds, iterations, version, threads.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def main() -> None:
    path, n, dims, k, n_init, seed = sys.argv[1], *map(int, sys.argv[2:7])
    data = np.fromfile(path, dtype="<f8").reshape(n, dims)
    wall, cpu = time.perf_counter(), time.process_time()
    model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, max_iter=300, random_state=seed, algorithm="lloyd")
    model.fit(data)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    try:
        from threadpoolctl import threadpool_info
        threads = max((p.get("num_threads", 1) for p in threadpool_info()), default=1)
    except Exception:
        threads = None
    print(json.dumps({
        "inertia": float(model.inertia_),
        "seconds": wall,
        "cpuSeconds": cpu,
        "iterations": int(model.n_iter_),
        "sklearn": sklearn.__version__,
        "threads": threads,
    }))


if __name__ == "__main__":
    main()
