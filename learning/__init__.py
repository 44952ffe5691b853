"""The assistant learns from its visitors: the review queue staff label (review.py), the labels
file those labels become (labels.py), and the retrain, check and switch of the model (retrain.py)."""
