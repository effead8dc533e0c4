"""
Digits: SGD logistic regression and a neural network
====================================================

scikit-learn's digits (1,797 images of 8x8 pixels) classified by
:class:`~river_lite.classifier.SGDClassifier` and
:class:`~river_lite.classifier.MLPClassifier`, both trained in Rust. scikit-learn is used only
for the data and the confusion matrix.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import confusion_matrix

from river_lite.classifier import MLPClassifier, SGDClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = X[:1500], X[1500:], y[:1500], y[1500:]

sgd = SGDClassifier(random_state=0).fit(X_train, y_train)
mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=60, random_state=0).fit(X_train, y_train)
for model in (sgd, mlp):
    print(f"{type(model).__name__}: test accuracy {model.score(X_test, y_test):.3f}")

# %%
# The network's training loss per epoch, and where each model goes wrong.
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
axes[0].plot(np.arange(1, len(mlp.loss_curve_) + 1), mlp.loss_curve_)
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("training loss (NLL)")
axes[0].set_title("MLPClassifier")
for ax, model in zip(axes[1:], (sgd, mlp), strict=True):
    matrix = confusion_matrix(y_test, model.predict(X_test))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{type(model).__name__}: {model.score(X_test, y_test):.1%}")
fig.tight_layout()
plt.show()

# %%
# Online learning, River-style: one dict at a time, scored on the test set as it learns.
online = SGDClassifier(random_state=0)
features = [f"pixel{i}" for i in range(X.shape[1])]
seen, accuracy = [], []
for i, (row, label) in enumerate(zip(X_train, y_train, strict=True), start=1):
    online.learn_one(dict(zip(features, row, strict=True)), label, classes=list(range(10)))
    if i % 100 == 0:
        seen.append(i)
        accuracy.append(online.score(X_test, y_test))

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(seen, accuracy, "o-")
ax.set_xlabel("samples learned (learn_one)")
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1)
fig.tight_layout()
plt.show()
