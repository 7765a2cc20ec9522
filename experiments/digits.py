"""Few-shot draws from scikit-learn's handwritten digits: 1797 8×8 grey images of 10 classes, shipped inside the
package (nothing is downloaded). Pixels are scaled from 0…16 to [0, 1]."""
import functools

import numpy as np

from pplimits._util.checks import UsageError

CLASSES = 10


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise UsageError("the digits study needs scikit-learn: pip install 'pplimits[study]'") from None
    digits = load_digits()
    return digits.data / 16.0, digits.target


def few_shot(shots: int, seed: int, test_size: int = 500):
    """(train features, train labels, test features, test labels): `shots` images per class drawn with `seed`,
    and `test_size` other images held out (drawn with the same seed)."""
    features, labels = _digits()
    rng = np.random.default_rng([seed, shots])
    train = np.concatenate([rng.choice(np.flatnonzero(labels == c), shots, replace=False) for c in range(CLASSES)])
    rest = np.setdiff1d(np.arange(len(labels)), train)
    test = rng.choice(rest, test_size, replace=False)
    return features[train], labels[train], features[test], labels[test]
