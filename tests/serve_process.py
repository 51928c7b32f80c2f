"""A stroke-serve binary as a child process on a free loopback port, for the
Python tests that drive it from outside (signals, the original API's client)."""
import socket
import subprocess
import time
import urllib.request

PATIENT = {"gender": "Male", "age": 67, "hypertension": 0, "heart_disease": 1, "ever_married": "Yes",
           "work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6,
           "smoking_status": "formerly smoked"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(serve, *args):
    """Starts `serve --port P *args`; returns (process, base URL) once /livez answers."""
    port = free_port()
    process = subprocess.Popen([serve, "--port", str(port), *args], stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/livez", timeout=1)
            return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"stroke-serve exited {process.returncode}: {process.stderr.read()}")
            time.sleep(0.05)
    raise RuntimeError("stroke-serve did not answer /livez within 10 s")


def stop(process):
    """SIGTERM; returns the exit code (0 when the server drained and stopped)."""
    process.terminate()
    return process.wait(timeout=10)
