"""A float64 per-class loop reference of DNC's clustering step, for tests.

What the official code does (a Python loop over classes), written out
literally per class in float64, so the batched core can be compared with it.
"""
import torch
import torch.nn.functional as F


def reference_assign(features,
                     labels,
                     subcentroids,
                     active,
                     selected,
                     method,
                     eps=0.05,
                     iters=3,
                     kmeans_iters=3):
    """Straightforward loop over classes (what the official code does), in
    float64, implementing Algorithm 1 literally per class."""
    n = features.shape[0]
    c = subcentroids.shape[0]
    out = torch.full((n, ), -1, dtype=torch.long)
    x64 = features.double()
    for ci in range(c):
        idx = ((labels == ci) & selected).nonzero().squeeze(1)
        kc = int(active[ci].sum())
        if idx.numel() == 0:
            continue
        x = x64[idx]
        p = subcentroids[ci, :kc].double()
        sims = p @ x.t()  # (K_c, N_c)
        if method == 'nearest':
            out[idx] = sims.argmax(0)
        elif method == 'sinkhorn':
            if idx.numel() == 1:
                out[idx] = sims.argmax(0)
                continue
            q = torch.exp(sims / eps)
            q /= q.sum()
            for _ in range(iters):
                q /= q.sum(1, keepdim=True)
                q /= kc
                q /= q.sum(0, keepdim=True)
                q /= idx.numel()
            out[idx] = q.argmax(0)
        else:  # k-means (cosine Lloyd), empty clusters keep their centre
            for _ in range(kmeans_iters):
                a = (p @ x.t()).argmax(0)
                for kk in range(kc):
                    members = x[a == kk]
                    if len(members):
                        p[kk] = F.normalize(members.sum(0), dim=0)
            out[idx] = (p @ x.t()).argmax(0)
    return out
