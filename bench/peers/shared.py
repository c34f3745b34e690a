"""What every peer shares: timing the GD step and printing its CSV line.

    case,n,m,k,runs,median_seconds,per_trajectory,stored_bytes,peak_rss,note
"""
import resource
import statistics
import time


def median_step_seconds(step, U, iterations):
    """Runs U = step(U) iterations + 1 times; the median time of all but the first (warm-up)."""
    times = []
    for t in range(iterations + 1):
        start = time.perf_counter()
        U = step(U)
        if t > 0:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(case, n, m, k, median, stored_bytes, note):
    """Prints the peer's line, with this process's peak memory."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{case},{n},{m},{k},1,{median:.6e},{median:.6e},{stored_bytes:.6e},{peak},{note}")
