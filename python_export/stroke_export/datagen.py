"""Deterministic synthetic datasets in the public datasets' formats.

The real Kaggle files cannot be downloaded here, so these generators write CSV
files with the published columns, codings, value ranges and base rates
(shared/reference/seed-systems.md): stroke 5110 rows, 249 positives, "N/A"
bmi in ~201 rows, one "Other" gender; lung cancer 309 rows, 270 YES / 39 NO,
0/1 answers coded 1/2, GENDER M/F, header names with trailing spaces.
heart disease 303 rows, severity 0-4 as 164/55/36/35/13, "?" for 4 ca and 2
thal; loan 614 rows with the public file's columns and a few blanks.
The risk relations are plausible, not medical or financial truth. Same seed, same bytes.
"""
import argparse
import csv
import io
import sys

import numpy as np

STROKE_COLUMNS = ["id", "gender", "age", "hypertension", "heart_disease", "ever_married",
                  "work_type", "Residence_type", "avg_glucose_level", "bmi", "smoking_status",
                  "stroke"]
LUNG_COLUMNS = ["GENDER", "AGE", "SMOKING", "YELLOW_FINGERS", "ANXIETY", "PEER_PRESSURE",
                "CHRONIC DISEASE", "FATIGUE ", "ALLERGY ", "WHEEZING", "ALCOHOL CONSUMING",
                "COUGHING", "SHORTNESS OF BREATH", "SWALLOWING DIFFICULTY", "CHEST PAIN",
                "LUNG_CANCER"]


def _pick_positives(rng, risk, count):
    """Exactly `count` positives, drawn without replacement in proportion to `risk`."""
    chosen = rng.choice(len(risk), size=count, replace=False, p=risk / risk.sum())
    target = np.zeros(len(risk), dtype=int)
    target[chosen] = 1
    return target


def stroke_rows(seed, n=5110, positives=249, missing_bmi=201):
    rng = np.random.RandomState(seed)
    age = rng.uniform(0.08, 82.0, n)
    age = np.where(age < 2, np.maximum(0.08, np.round(age / 0.08) * 0.08), np.round(age))
    gender = rng.choice(["Female", "Male"], n, p=[0.586, 0.414]).astype(object)
    gender[rng.randint(n)] = "Other"
    adult = np.clip((age - 30) / 50, 0, 1)
    hypertension = (rng.uniform(size=n) < 0.01 + 0.25 * adult).astype(int)
    heart = (rng.uniform(size=n) < 0.004 + np.clip((age - 40) / 42, 0, 1)
             * np.where(gender == "Male", 0.16, 0.09)).astype(int)
    married = np.where((age >= 18) & (rng.uniform(size=n) < 0.9 / (1 + np.exp(-(age - 27) / 5))),
                       "Yes", "No")
    work = rng.choice(["Private", "Self-employed", "Govt_job", "Never_worked"], n,
                      p=[0.67, 0.18, 0.145, 0.005]).astype(object)
    work[age < 16] = np.where(rng.uniform(size=(age < 16).sum()) < 0.85, "children",
                              "Never_worked")
    work[(age >= 16) & (age < 22) & (work == "Self-employed")] = "Private"
    residence = rng.choice(["Urban", "Rural"], n)
    diabetic = rng.uniform(size=n) < 0.05 + 0.2 * adult
    glucose = np.where(diabetic, rng.normal(205, 35, n), rng.normal(92, 19, n))
    glucose = np.round(np.clip(glucose, 55.12, 271.74), 2)
    bmi = np.where(age < 18, rng.normal(19 + age * 0.3, 3.5, n), rng.normal(29.5, 7, n))
    bmi = np.round(np.clip(bmi, 10.3, 97.6), 1)
    smoking = rng.choice(["never smoked", "Unknown", "formerly smoked", "smokes"], n,
                         p=[0.37, 0.30, 0.17, 0.16]).astype(object)
    smoking[age < 12] = np.where(rng.uniform(size=(age < 12).sum()) < 0.9, "Unknown",
                                 "never smoked")
    logit = (0.078 * age + 0.55 * hypertension + 0.45 * heart + 0.006 * (glucose - 100)
             + 0.05 * (bmi - 28) + 0.3 * (smoking == "formerly smoked")
             + 0.25 * (smoking == "smokes") + 0.1 * (gender == "Male") - 0.25 * (married == "No"))
    stroke = _pick_positives(rng, np.exp(logit - logit.max()), positives)
    # Missing bmi is more frequent among strokes, as in the public data.
    miss_weight = np.where(stroke == 1, 6.0, 1.0)
    missing = rng.choice(n, size=missing_bmi, replace=False, p=miss_weight / miss_weight.sum())
    bmi_text = np.array([f"{b:.1f}" for b in bmi], dtype=object)
    bmi_text[missing] = "N/A"
    # The public file's id range; a larger dataset (a benchmark's) numbers on past it.
    ids = rng.choice(np.arange(67, 72941), size=n, replace=False) if n <= 72874 else np.arange(1, n + 1)
    for i in range(n):
        yield [int(ids[i]), gender[i], _age_text(age[i]), int(hypertension[i]), int(heart[i]),
               married[i], work[i], residence[i], f"{glucose[i]:.2f}", bmi_text[i], smoking[i],
               int(stroke[i])]


def _age_text(age):
    return f"{age:.2f}" if age < 2 else f"{age:.0f}"


def lung_rows(seed, n=309, positives=270):
    rng = np.random.RandomState(seed)
    cancer = np.zeros(n, dtype=int)
    cancer[rng.choice(n, size=positives, replace=False)] = 1
    male = rng.uniform(size=n) < 0.52
    age = np.clip(np.round(rng.normal(62.5 + 1.5 * cancer, 8.2, n)), 21, 87).astype(int)
    # P(answer is yes | cancer), P(yes | no cancer) per symptom column.
    odds = {"SMOKING": (0.58, 0.48), "YELLOW_FINGERS": (0.62, 0.38), "ANXIETY": (0.54, 0.36),
            "PEER_PRESSURE": (0.55, 0.28), "CHRONIC DISEASE": (0.53, 0.38),
            "FATIGUE ": (0.71, 0.52), "ALLERGY ": (0.61, 0.20), "WHEEZING": (0.60, 0.30),
            "ALCOHOL CONSUMING": (0.61, 0.22), "COUGHING": (0.63, 0.28),
            "SHORTNESS OF BREATH": (0.65, 0.58), "SWALLOWING DIFFICULTY": (0.52, 0.16),
            "CHEST PAIN": (0.59, 0.38)}
    answers = {c: np.where(rng.uniform(size=n) < np.where(cancer == 1, p1, p0), 2, 1)
               for c, (p1, p0) in odds.items()}
    for i in range(n):
        row = ["M" if male[i] else "F", int(age[i])]
        row += [int(answers[c][i]) for c in LUNG_COLUMNS[2:-1]]
        yield row + ["YES" if cancer[i] else "NO"]


HEART_COLUMNS = ["age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang",
                 "oldpeak", "slope", "ca", "thal", "num"]


def heart_rows(seed, n=303, severity_counts=(164, 55, 36, 35, 13)):
    """UCI Cleveland: 13 inputs, severity num 0-4, "?" for a few ca / thal."""
    rng = np.random.RandomState(seed)
    age = np.clip(np.round(rng.normal(54.4, 9.0, n)), 29, 77).astype(int)
    sex = (rng.uniform(size=n) < 0.68).astype(int)
    cp = rng.choice([1, 2, 3, 4], n, p=[0.08, 0.16, 0.28, 0.48])
    exang = (rng.uniform(size=n) < 0.33).astype(int)
    oldpeak = np.round(np.clip(rng.gamma(1.1, 0.95, n), 0, 6.2), 1)
    ca = rng.choice([0, 1, 2, 3], n, p=[0.59, 0.22, 0.13, 0.06])
    thal = rng.choice([3, 6, 7], n, p=[0.55, 0.06, 0.39])
    risk = (0.04 * (age - 54) + 0.6 * sex + 0.7 * (cp == 4) + 0.6 * exang + 0.45 * oldpeak
            + 0.55 * ca + 0.8 * (thal == 7) + rng.normal(0, 0.8, n))
    num = np.zeros(n, dtype=int)
    order = np.argsort(risk)
    start = 0
    for level, count in enumerate(severity_counts):
        num[order[start:start + count]] = level
        start += count
    trestbps = np.clip(np.round(rng.normal(131.7 + 3 * (num > 0), 17.6, n)), 94, 200).astype(int)
    chol = np.clip(np.round(rng.normal(246.7, 51.8, n)), 126, 564).astype(int)
    fbs = (rng.uniform(size=n) < 0.15).astype(int)
    restecg = rng.choice([0, 1, 2], n, p=[0.50, 0.01, 0.49])
    thalach = np.clip(np.round(rng.normal(158 - 8 * num, 20, n)), 71, 202).astype(int)
    slope = rng.choice([1, 2, 3], n, p=[0.47, 0.46, 0.07])
    ca_text = [str(v) for v in ca]
    thal_text = [str(v) for v in thal]
    for i in rng.choice(n, 4, replace=False):
        ca_text[i] = "?"
    for i in rng.choice(n, 2, replace=False):
        thal_text[i] = "?"
    for i in range(n):
        yield [int(age[i]), int(sex[i]), int(cp[i]), int(trestbps[i]), int(chol[i]), int(fbs[i]),
               int(restecg[i]), int(thalach[i]), int(exang[i]), float(oldpeak[i]), int(slope[i]),
               ca_text[i], thal_text[i], int(num[i])]


LOAN_COLUMNS = ["Loan_ID", "Gender", "Married", "Dependents", "Education", "Self_Employed",
                "ApplicantIncome", "CoapplicantIncome", "LoanAmount", "Loan_Amount_Term",
                "Credit_History", "Property_Area", "Loan_Status"]


def loan_rows(seed, n=614):
    """Kaggle "loan prediction": LoanAmount (thousands) to predict; blanks in a few inputs."""
    rng = np.random.RandomState(seed)
    for i in range(n):
        graduate = rng.uniform() < 0.78
        income = float(np.round(np.exp(rng.normal(8.3 + 0.25 * graduate, 0.55))))
        co_income = 0.0 if rng.uniform() < 0.45 else float(np.round(np.exp(rng.normal(7.3, 0.7))))
        term = rng.choice([360, 180, 480, 300, 240, 84, 120, 60, 36, 12],
                          p=[0.85, 0.07, 0.025, 0.02, 0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025])
        married = rng.uniform() < 0.65
        dependents = rng.choice(["0", "1", "2", "3+"], p=[0.58, 0.17, 0.17, 0.08])
        area = rng.choice(["Urban", "Semiurban", "Rural"], p=[0.33, 0.38, 0.29])
        amount = (0.009 * income + 0.006 * co_income + 18 * married + 10 * graduate
                  + 15 * (area == "Semiurban") - 0.05 * (360 - term) + rng.normal(40, 25))
        row = [f"LP{1000 + i:06d}", rng.choice(["Male", "Female"], p=[0.81, 0.19]),
               "Yes" if married else "No", dependents,
               "Graduate" if graduate else "Not Graduate",
               "Yes" if rng.uniform() < 0.14 else "No", int(income), co_income,
               int(np.clip(round(amount), 9, 700)), int(term),
               int(rng.uniform() < 0.84), area, "Y" if rng.uniform() < 0.69 else "N"]
        for column in (1, 2, 3, 5, 9, 10):  # the public file's blanks
            if rng.uniform() < 0.02:
                row[column] = ""
        yield row


GENERATORS = {"stroke": (STROKE_COLUMNS, stroke_rows), "lung_cancer": (LUNG_COLUMNS, lung_rows),
              "heart_disease": (HEART_COLUMNS, heart_rows), "loan_amount": (LOAN_COLUMNS, loan_rows)}


def synthetic_csv(model_name, seed, rows=None):
    """The whole synthetic dataset of `model_name` as CSV text."""
    columns, generate = GENERATORS[model_name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(generate(seed) if rows is None else generate(seed, n=rows))
    return out.getvalue()


def main(argv=None):
    """python_export/datagen.py MODEL [--seed N]: the dataset as CSV on stdout."""
    parser = argparse.ArgumentParser(description="Write a synthetic dataset as CSV to stdout.")
    parser.add_argument("model", choices=sorted(GENERATORS))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    sys.stdout.write(synthetic_csv(args.model, args.seed))


if __name__ == "__main__":
    main()
