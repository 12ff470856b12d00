"""The learned ranker: LightGBM LambdaRank over every candidate source, explained from its features.

`train_ranker` (training.py) learns on inner cuts (two by default); `serving.py` trains the served model at
build time and opens it only when its fingerprint fits the data, rules and sources.
"""
