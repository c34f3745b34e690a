"""Writes configs/problems/data/movielens_like.data: a synthetic ratings file
with the shape of MovieLens 100k (943 users, 1 682 items, 100 000 ratings,
each user at least 20) in its u.data layout (user, item, rating, timestamp;
tabs), drawn from a low-rank preference model with user and item biases,
rounded to the 1-5 stars. Deterministic (seeded); numpy only.

    /usr/bin/python3 scripts/make_movielens_like.py [OUT]
"""
import pathlib
import sys

import numpy as np

USERS, ITEMS, RATINGS, RANK = 943, 1682, 100_000, 4
random = np.random.default_rng(1682)

# How many ratings each user gives: at least 20, at most 737 (as in MovieLens), a heavy tail, 100 000 in all.
extra = random.pareto(1.3, USERS)
counts = np.minimum(737, 20 + np.floor(extra / extra.sum() * (RATINGS - 20 * USERS)).astype(int))
while counts.sum() < RATINGS:  # what the cap took, to the others in proportion to their weight
    room = counts < 737
    share = np.floor(extra * room / (extra * room).sum() * (RATINGS - counts.sum())).astype(int)
    counts = np.minimum(737, counts + np.maximum(share, room * (share.sum() == 0)))
counts[np.argsort(-counts)[: counts.sum() - RATINGS]] -= 1
# Which items: popular items more often (a Zipf-like popularity), without repeats per user.
popularity = 1.0 / np.arange(1, ITEMS + 1) ** 0.9
popularity = popularity[random.permutation(ITEMS)]
popularity /= popularity.sum()
# Preferences: mean 3.5, user and item biases, a rank-4 interaction, noise; rounded to 1-5 stars.
user_bias = random.normal(0, 0.45, USERS)
item_bias = random.normal(0, 0.5, ITEMS)
U = random.normal(0, 0.55, (USERS, RANK))
V = random.normal(0, 0.55, (ITEMS, RANK))
rows = []
for user in range(USERS):
    items = random.choice(ITEMS, size=counts[user], replace=False, p=popularity)
    score = 3.5 + user_bias[user] + item_bias[items] + V[items] @ U[user] + random.normal(0, 0.6, len(items))
    stars = np.clip(np.rint(score), 1, 5).astype(int)
    rows += [(user + 1, item + 1, star) for item, star in zip(items, stars)]
order = random.permutation(len(rows))  # the file is in time order, users interleaved
times = 874_724_710 + np.cumsum(random.integers(1, 300, len(rows)))
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else \
    pathlib.Path(__file__).resolve().parents[1] / "configs" / "problems" / "data" / "movielens_like.data"
with open(out, "w") as stream:
    for position, index in enumerate(order):
        user, item, star = rows[index]
        stream.write(f"{user}\t{item}\t{star}\t{times[position]}\n")
print(f"{out}: {len(rows)} ratings, {USERS} users, {len(set(r[1] for r in rows))} items")
