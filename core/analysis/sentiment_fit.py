"""Softmax regression fitted with L-BFGS in numpy (no scikit-learn at run time or training),
for the sentiment and the intent model."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from core.analysis.sentiment import FloatArray

IntArray = npt.NDArray[np.int64]


def fit_softmax(
    x: FloatArray,
    y: IntArray,
    sample_weight: npt.NDArray[np.floating],
    l2: npt.NDArray[np.floating],
    classes: int = 3,
    max_iter: int = 1000,
) -> tuple[FloatArray, FloatArray]:
    """Minimise weighted cross-entropy + 0.5 * sum(l2_j * w_j^2) with L-BFGS. The sentiment
    model (3 classes) and the intent model (core.analysis.train_intent) both fit with it.

    Returns (coef of shape (d, classes), intercept of shape (classes,)); the intercept is not
    penalised.
    """
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))]).astype(np.float64)
    penalty = np.r_[l2, 0.0][:, None]
    onehot = np.eye(classes)[y]
    rows = np.arange(n)

    def loss_and_grad(w: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        coef = w.reshape(d + 1, classes)
        z = xb @ coef
        z -= z.max(axis=1, keepdims=True)
        expz = np.exp(z)
        total = expz.sum(axis=1)
        loss = -(sample_weight * (z[rows, y] - np.log(total))).sum()
        loss += 0.5 * float((penalty * coef**2).sum())
        grad = xb.T @ ((expz / total[:, None] - onehot) * sample_weight[:, None]) + penalty * coef
        return float(loss), grad.ravel()

    w = np.zeros((d + 1) * classes)
    f, g = loss_and_grad(w)
    s_hist: list[npt.NDArray[np.float64]] = []
    y_hist: list[npt.NDArray[np.float64]] = []
    for _ in range(max_iter):
        # Two-loop recursion for the L-BFGS direction.
        q = g.copy()
        alphas = []
        for s, yv in zip(reversed(s_hist), reversed(y_hist), strict=True):
            a = (s @ q) / (yv @ s)
            alphas.append(a)
            q -= a * yv
        q *= (s_hist[-1] @ y_hist[-1]) / (y_hist[-1] @ y_hist[-1]) if s_hist else 1e-3
        for s, yv, a in zip(s_hist, y_hist, reversed(alphas), strict=True):
            q += s * (a - (yv @ q) / (yv @ s))
        direction = -q
        slope = g @ direction
        if slope >= 0:
            direction, slope = -g, -(g @ g)
        step = 1.0
        while True:  # backtracking line search (Armijo)
            f_new, g_new = loss_and_grad(w + step * direction)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_k, y_k = step * direction, g_new - g
        if s_k @ y_k > 1e-12:
            s_hist.append(s_k)
            y_hist.append(y_k)
            if len(s_hist) > 10:
                s_hist.pop(0)
                y_hist.pop(0)
        w += s_k
        converged = abs(f - f_new) < 1e-9 * max(abs(f), 1.0)
        f, g = f_new, g_new
        if converged:
            break
    coef = w.reshape(d + 1, classes)
    return coef[:-1].astype(np.float32), coef[-1].astype(np.float32)
