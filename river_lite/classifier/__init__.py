"""scikit-learn-compatible classifiers trained in Rust, usable online River-style.

* :class:`SGDClassifier` — multinomial or one-vs-rest logistic regression trained by SGD
  (L2, L1, elastic-net; four learning-rate schedules; averaging).
* :class:`MLPClassifier` — a feed-forward network (ReLU, dropout, log-softmax + NLL) trained
  by minibatch SGD with momentum or Adam.

Both follow scikit-learn's estimator conventions without needing scikit-learn at run time
(``fit``, ``partial_fit``, ``predict``, ``predict_proba``, ``score``, ``get_params``,
``set_params``, pickle, ``sklearn.base.clone``), take labels of any sortable type, read
C-contiguous ``float32``/``float64`` arrays in place, release the GIL while they compute, and
give bit-identical models for a given ``random_state``. ``learn_one``/``predict_one``/
``predict_proba_one`` learn from and predict for one ``dict`` at a time. Using a model before
it is fitted raises :class:`NotFittedError` (a ``ValueError`` and ``AttributeError``).
"""

from .._namespace import public_dir
from ._validation import DataConversionWarning, NotFittedError
from .mlp import MLPClassifier
from .sgd import SGDClassifier

__all__ = ["DataConversionWarning", "MLPClassifier", "NotFittedError", "SGDClassifier"]

__dir__ = public_dir(__all__, __path__)
