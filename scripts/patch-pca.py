"""How well the best k-dimensional affine subspace reconstructs clean patches (developer tool).

    npx tsx scripts/dump-patches.ts --out /tmp/patches.f32
    python3 scripts/patch-pca.py /tmp/patches.f32 [--values 768]

A linear output head of width k can only ever draw patches in a k-dimensional affine subspace;
PCA on the first 5/6 of the patches gives the best one, scored on the rest with the same PSNR
(peak-to-peak 2) and detail share (within-patch variation reproduced) as `npm run bench -- denoise`,
the detail pooled over all test patches (the bench averages it per scene).
Needs numpy (pip install numpy); not part of the product.
"""
import argparse
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument('file')
ap.add_argument('--values', type=int, default=768, help='values per patch (16 px x 16 px x 3)')
a = ap.parse_args()
x = np.fromfile(a.file, dtype=np.float32).reshape(-1, a.values).astype(np.float64)
split = len(x) * 5 // 6
train, test = x[:split], x[split:]
mean = train.mean(0)
_, vectors = np.linalg.eigh(np.cov((train - mean).T))
vectors = vectors[:, ::-1]


def psnr(est, ref):
    return 10 * np.log10(4 / np.mean((np.clip(est, -1, 1) - ref) ** 2))


def detail(est, ref):
    r = ref.reshape(len(ref), -1, 3)
    e = est.reshape(len(est), -1, 3) - r
    total = ((r - r.mean(1, keepdims=True)) ** 2).sum()
    residual = ((e - e.mean(1, keepdims=True)) ** 2).sum()
    return max(0.0, 1 - residual / total)


print('dims  PSNR dB  detail')
for k in [32, 64, 128, 192, 256, 384]:
    basis = vectors[:, :k]
    rec = (test - mean) @ basis @ basis.T + mean
    print(f'{k:4d}  {psnr(rec, test):7.2f}  {detail(rec, test):.3f}')
