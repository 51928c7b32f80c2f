"""The HTTP peer: the original stroke API (FastAPI + uvicorn + scikit-learn),
rebuilt as its authors built it, serving the same model as stroke-serve.

    /usr/bin/python3 bench/peer_fastapi.py --data build/bench-data --users users.json --port 8101

POST /prediction with HTTP Basic auth against a users file
([{"username": .., "password": ..}], plaintext as in the original); the body
is the ten stroke fields (extra fields forbidden); the answer is
{"prediction": 0|1, "proba": P(stroke) rounded to 4 places}. The model is the
shipped stroke model retrained as train.py did (bench/make_bench_data.py
checked it against the bundle). --features chooses how a body becomes the
21 features:
  pandas       (default) as such services are written: a one-row DataFrame,
               pd.get_dummies, reindexed to the training columns, then
               predict and predict_proba
  featureprog  a lean variant: python_export/stroke_export/featureprog.py (the Python twin
               of the bundle's program) and one predict_proba call
"""
import argparse
import json
import os
import secrets
import sys
from typing import Literal

import joblib
import pandas as pd
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Extra

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "python_export"))  # the import root of stroke_export
from stroke_export.featureprog import FeatureProgram  # noqa: E402


class Patient(BaseModel):
    gender: Literal["Male", "Female", "Other"]
    age: float
    hypertension: bool
    heart_disease: bool
    ever_married: Literal["Yes", "No"]
    work_type: Literal["children", "Never_worked", "Govt_job", "Private", "Self-employed"]
    Residence_type: Literal["Rural", "Urban"]
    avg_glucose_level: float
    bmi: float
    smoking_status: Literal["Unknown", "never smoked", "formerly smoked", "smokes"]

    class Config:
        extra = Extra.forbid


CATEGORICAL = ["gender", "ever_married", "work_type", "Residence_type", "smoking_status"]


def make_app(data_dir, users_path, features):
    with open(os.path.join(ROOT, "models", "stroke.bundle.json"), encoding="utf-8") as f:
        bundle = json.load(f)
    program = FeatureProgram(bundle["inputs"], bundle["features"], float32=True)
    columns = [f["name"] for f in bundle["features"]]
    model = joblib.load(os.path.join(data_dir, "stroke.joblib"))
    with open(users_path, encoding="utf-8") as f:
        users = {u["username"]: u["password"] for u in json.load(f)}
    app = FastAPI(title="stroke prediction (peer)")
    security = HTTPBasic()

    def user(credentials: HTTPBasicCredentials = Depends(security)):
        expected = users.get(credentials.username, "")
        if not (credentials.username in users and secrets.compare_digest(credentials.password, expected)):
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Incorrect username or password",
                                headers={"WWW-Authenticate": "Basic"})
        return credentials.username

    @app.post("/prediction")
    def prediction(patient: Patient, _: str = Depends(user)):
        record = patient.dict()
        record["hypertension"] = int(record["hypertension"])
        record["heart_disease"] = int(record["heart_disease"])
        if features == "featureprog":
            proba = float(model.predict_proba([program.features_of(record)])[0][1])
            return {"prediction": int(proba > 0.5), "proba": round(proba, 4)}
        frame = pd.get_dummies(pd.DataFrame([record]), columns=CATEGORICAL)
        X = frame.reindex(columns=columns, fill_value=0).astype(float).to_numpy()
        return {"prediction": int(model.predict(X)[0]), "proba": round(float(model.predict_proba(X)[0][1]), 4)}

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--users", required=True)
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--features", choices=("pandas", "featureprog"), default="pandas")
    args = parser.parse_args()
    uvicorn.run(make_app(args.data, args.users, args.features), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
