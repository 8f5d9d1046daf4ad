"""Reference KMeans for bench/kmeans.ts: the same data, scikit-learn's k-means++ with restarts.

Usage: /usr/bin/python3 bench/sklearn_kmeans.py DATA.csv K N_INIT SEED
DATA.csv: one point per line, comma-separated floats, no header (written by bench/kmeans.ts).
Prints one JSON line: inertia, seconds, iterations, sklearn version.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def main() -> None:
    path, k, n_init, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    data = np.loadtxt(path, delimiter=",", dtype=np.float64)
    started = time.perf_counter()
    model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, max_iter=300, random_state=seed, algorithm="lloyd")
    model.fit(data)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "inertia": float(model.inertia_),
        "seconds": seconds,
        "iterations": int(model.n_iter_),
        "sklearn": sklearn.__version__,
        "labels_head": [int(x) for x in model.labels_[:5]],
    }))


if __name__ == "__main__":
    main()
