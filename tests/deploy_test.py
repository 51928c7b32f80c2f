"""deploy/ against the program it deploys: no container engine or cluster runs here,
so each file is parsed and every fact it states is checked against the README,
`cmake --install` and the installed stroke-serve itself:

- the Dockerfile's build stage runs the README's commands (install, configure,
  build), then `cmake --install`; what the runtime stage copies is what that
  install produces, at the same paths (the programs find ../share/stroke);
- the runtime stage installs exactly the Debian packages owning the shared
  libraries the installed programs load (ldd, dpkg -S), plus the health check's tool;
- every stroke-serve flag (and STROKE_* variable) used anywhere is in `--help`;
- ports and the repository path agree within each file and across them; the Redis a
  --log-store names is a service of the same file (compose) or directory (Kubernetes),
  on its port;
- the KServe runtime names the bundles' format and the port KServe expects;
- each setup (docker run, compose, Kubernetes, KServe) is started as written
  (its arguments and environment, with the repository, port and host swapped for
  a temporary repository of the bundled models, a free port and loopback): every
  probe and health-check path it names answers 200 and GET /models shows that
  repository (a variable whose flag is also given gets a decoy: the flag must win);
  a --log-store is swapped for a redis-server of the test's own on a free port (where
  Debian's redis-server is installed), and /readyz must then report it "ok".
Usage: deploy_test.py --build-dir BUILD --work-dir DIR [--cmake CMAKE]
"""
import argparse
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import yaml

from serve_process import free_port, stop

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KSERVE_PORT = 8080  # the port KServe sends a predictor's traffic to


def read(path):
    with open(os.path.join(SOURCE, path), encoding="utf-8") as f:
        return f.read()


def load_yaml(path):
    return yaml.safe_load(read(path))


# ---- the Dockerfile -------------------------------------------------------------------------

def dockerfile_stages():
    """[(stage name or None, [(INSTRUCTION, text)])], continuation lines joined, comments dropped."""
    lines = [l for l in read("deploy/Dockerfile").splitlines() if not l.lstrip().startswith("#")]
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    stages = []
    for line in text.splitlines():
        if not line.strip():
            continue
        instruction, _, rest = line.strip().partition(" ")
        instruction, rest = instruction.upper(), " ".join(rest.split())
        if instruction == "FROM":
            words = rest.split()
            stages.append((words[2] if len(words) == 3 and words[1].upper() == "AS" else None, []))
        stages[-1][1].append((instruction, rest))
    return stages


def steps(run_text):
    return [" ".join(s.split()) for s in run_text.split("&&")]


def readme_build_steps():
    """The steps the README's two commands share: install the dependencies, configure, build."""
    blocks = re.findall(r"```sh\n(.*?)```", read("README.md"), re.S)
    serve, test = steps(blocks[0]), steps(blocks[1])
    common = [a for a, b in zip(serve, test) if a == b]
    assert len(common) == 3 and common == serve[:3] == test[:3], f"README's commands changed: {serve} / {test}"
    return common


def check_dockerfile(prefix_dir):
    """Returns (runtime environment, ENTRYPOINT + CMD, the health-check URL, exposed port, uid)."""
    stages = dockerfile_stages()
    assert len(stages) == 2, "a build stage and a runtime stage"
    (build_name, build), (_, runtime) = stages
    assert build[0][1].startswith("debian:12") and runtime[0][1].startswith("debian:12"), "Debian 12 images"

    run_steps = [s for instruction, text in build if instruction == "RUN" for s in steps(text)]
    expected = readme_build_steps()
    assert run_steps[:3] == expected, f"build stage runs {run_steps[:3]}, the README {expected}"
    install = re.fullmatch(r"cmake --install build --prefix (\S+)", run_steps[3])
    assert install and len(run_steps) == 4, f"then only `cmake --install build --prefix P`: {run_steps[3:]}"
    prefix = install.group(1)

    copies = [text.split() for instruction, text in runtime if instruction == "COPY"]
    assert copies, "the runtime stage copies the installed tree"
    for words in copies:
        assert words[0] == f"--from={build_name}", f"COPY from the build stage: {words}"
        *sources, destination = words[1:]
        for source in sources:
            assert source.startswith(prefix + "/"), f"{source} is not under the install prefix {prefix}"
            installed = os.path.join(prefix_dir, source[len(prefix) + 1:])
            assert os.path.exists(installed), f"{source}: `cmake --install` makes no {installed}"
            kept = destination.rstrip("/") + "/" + os.path.basename(source) if destination.endswith("/") else destination
            assert kept == source, f"{source} copied to {kept}: the installed layout must be kept"
    copied = {s for words in copies for s in words[1:-1]}
    for program in ("bin/stroke-serve", "bin/stroke-predict", "share/stroke"):
        assert f"{prefix}/{program}" in copied, f"the runtime stage lacks {prefix}/{program}"

    env = {}
    for instruction, text in runtime:
        if instruction == "ENV":
            env.update(word.split("=", 1) for word in shlex.split(text))
    (volume,) = [json_or_words(t) for i, t in runtime if i == "VOLUME"]
    assert volume == [env["STROKE_MODEL_REPOSITORY"]], f"VOLUME {volume} is not the repository"
    (exposed,) = [int(t.split("/")[0]) for i, t in runtime if i == "EXPOSE"]
    assert exposed == int(env["STROKE_PORT"]), f"EXPOSE {exposed}, STROKE_PORT {env['STROKE_PORT']}"
    (user,) = [t for i, t in runtime if i == "USER"]
    uid = int(user.split(":")[0])
    assert uid != 0, "runs as root"
    (entrypoint,) = [json.loads(t) for i, t in runtime if i == "ENTRYPOINT"]
    cmd = [json.loads(t) for i, t in runtime if i == "CMD"]
    assert entrypoint[0] == "stroke-serve" and f"{prefix}/bin" in env["PATH"].split(":"), "runs the installed stroke-serve"

    (health,) = [t for i, t in runtime if i == "HEALTHCHECK"]
    command = health.split(" CMD ", 1)[1]
    url = re.search(r"http://[^\s\"']+", command).group(0).replace("${STROKE_PORT}", env["STROKE_PORT"])
    assert url_port(url) == exposed, f"the health check asks port {url_port(url)}, EXPOSE {exposed}"
    check_runtime_packages(runtime, prefix_dir, tool=command.split()[0])
    return env, entrypoint + (cmd[0] if cmd else []), url, exposed, uid


def json_or_words(text):
    return json.loads(text) if text.startswith("[") else text.split()


def url_port(url):
    return int(re.match(r"http://[^/:]+:(\d+)/", url).group(1))


def check_runtime_packages(runtime, prefix_dir, tool):
    installs = [t for i, t in runtime if i == "RUN" and "apt-get install" in t]
    assert len(installs) == 1, "one apt-get install in the runtime stage"
    words = installs[0].split("apt-get install", 1)[1].split("&&")[0].split()
    listed = {w for w in words if not w.startswith("-")}
    needed = set()
    for program in ("stroke-serve", "stroke-predict"):
        ldd = subprocess.run(["ldd", os.path.join(prefix_dir, "bin", program)], capture_output=True, text=True,
                             check=True).stdout
        for library in re.findall(r"(/\S+) \(0x", ldd):
            needed.add(owning_package(library))
    assert tool in listed, f"the health check's {tool} is not installed"
    assert listed - needed == {tool}, f"runtime packages no library needs: {listed - needed - {tool}}"
    assert needed <= listed, f"libraries of packages not installed: {needed - listed}"


def owning_package(path):
    real = os.path.realpath(path)
    candidates = [path, real] + [p[4:] for p in (path, real) if p.startswith("/usr/")] + \
                 ["/usr" + p for p in (path, real) if not p.startswith("/usr/")]
    for candidate in candidates:
        found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0]
    raise AssertionError(f"{path}: no Debian package owns it (a library built here would be missing at run time)")


def check_dockerignore():
    patterns = [l.strip() for l in read(".dockerignore").splitlines() if l.strip() and not l.startswith("#")]
    ignored = lambda path: any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path.split("/")[0], p) for p in patterns)
    for path in (".git", "build", "build-bench", "build-sanitize-address_undefined"):
        assert ignored(path), f".dockerignore lets {path} into the image's context"
    for path in ("CMakeLists.txt", "scripts/install-deps.sh", "models/stroke.bundle.json", "apps/serve/main.cc"):
        assert not ignored(path), f".dockerignore leaves out {path}, which the build needs"


# ---- the YAML files ------------------------------------------------------------------------

def redis_target(url):
    """redis://HOST[:PORT][/DB] -> (HOST, PORT); 6379 when the URL names no port."""
    match = re.fullmatch(r"redis://([A-Za-z0-9.-]+)(?::(\d+))?(?:/\d*)?", url)
    assert match, f"{url}: not redis://HOST[:PORT][/DB]"
    return match.group(1), int(match.group(2) or 6379)


def check_compose(image_env):
    compose = load_yaml("deploy/compose.yaml")
    (service,) = [s for s in compose["services"].values() if s.get("build", {}).get("dockerfile")]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile" and service["restart"], "build and restart policy"
    env = dict(image_env, **{k: str(v) for k, v in service.get("environment", {}).items()})
    port = int(env["STROKE_PORT"])
    published = [str(p).split(":")[-1] for p in service["ports"]]
    assert published == [str(port)], f"compose maps {published}, the server listens on {port}"
    targets = [v.split(":")[1] for v in service["volumes"]]
    assert env["STROKE_MODEL_REPOSITORY"] in targets, f"no volume at the repository {env['STROKE_MODEL_REPOSITORY']}"
    url = re.search(r"http://\S+", " ".join(service["healthcheck"]["test"])).group(0)
    assert url_port(url) == port, f"compose's health check asks port {url_port(url)}"
    if "STROKE_LOG_STORE" in env:
        host, redis_port = redis_target(env["STROKE_LOG_STORE"])
        redis = compose["services"].get(host)
        assert redis and redis["image"].startswith("redis:"), f"--log-store names {host}, no Redis service of compose"
        assert host in service.get("depends_on", []), f"stroke-serve does not depend on {host}"
        command = redis.get("command", [])
        served = int(command[command.index("--port") + 1]) if "--port" in command else 6379
        assert redis_port == served, f"--log-store asks port {redis_port}, {host} listens on {served}"
    return env, service.get("command", []), url


def container_ports(container):
    return {p.get("name", str(p["containerPort"])): p["containerPort"] for p in container["ports"]}


def probe_paths(container, ports, expected_port):
    paths = []
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        port = ports.get(get["port"], get["port"])
        assert port == expected_port, f"{probe} asks port {port}, the server listens on {expected_port}"
        paths.append(get["path"])
    return paths


def flag_value(args, flag):
    values = [a.split("=", 1)[1] for a in args if a.startswith(flag + "=")]
    values += [args[i + 1] for i, a in enumerate(args[:-1]) if a == flag]
    assert len(values) == 1, f"{flag} given {len(values)} times in {args}"
    return values[0]


def check_kubernetes(uid):
    deployment = load_yaml("deploy/kubernetes/deployment.yaml")
    service = load_yaml("deploy/kubernetes/service.yaml")
    claim = load_yaml("deploy/kubernetes/models-pvc.yaml")
    assert (deployment["kind"], service["kind"], claim["kind"]) == ("Deployment", "Service", "PersistentVolumeClaim")
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), "selector misses the pods"
    assert service["spec"]["selector"].items() <= labels.items(), "the Service selects no pod"
    (container,) = pod["spec"]["containers"]
    args = container["args"]
    port = int(flag_value(args, "--port"))
    ports = container_ports(container)
    assert list(ports.values()) == [port], f"containerPort {list(ports.values())}, --port {port}"
    (service_port,) = service["spec"]["ports"]
    target = ports.get(service_port["targetPort"], service_port["targetPort"])
    assert target == port == service_port["port"], f"Service {service_port}, the server listens on {port}"
    paths = probe_paths(container, ports, port)
    assert "/readyz" in paths and "/livez" in paths, f"probes {paths}"
    assert pod["spec"]["securityContext"]["runAsUser"] == uid and pod["spec"]["securityContext"]["runAsNonRoot"]
    assert container["securityContext"]["readOnlyRootFilesystem"], "the server writes nothing outside the repository"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    (volume,) = pod["spec"]["volumes"]
    assert mounts[volume["name"]] == flag_value(args, "--model-repository"), "the repository is not on the volume"
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    check_kubernetes_redis(flag_value(args, "--log-store"))
    return args, container.get("env", []), paths, port


def check_kubernetes_redis(log_store):
    """The Service --log-store names is redis.yaml's, on its port, selecting its Redis pods."""
    host, port = redis_target(log_store)
    with open(os.path.join(SOURCE, "deploy/kubernetes/redis.yaml"), encoding="utf-8") as f:
        documents = {d["kind"]: d for d in yaml.safe_load_all(f)}
    service, deployment = documents["Service"], documents["Deployment"]
    assert service["metadata"]["name"] == host, f"--log-store names {host}, redis.yaml's Service is {service['metadata']['name']}"
    (service_port,) = service["spec"]["ports"]
    assert service_port["port"] == port, f"--log-store asks port {port}, the Service has {service_port['port']}"
    pod = deployment["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items(), "the Redis Service selects no pod"
    (container,) = pod["spec"]["containers"]
    assert container["image"].startswith("redis:"), f"{container['image']} is not Redis"
    target = container_ports(container).get(service_port["targetPort"], service_port["targetPort"])
    assert target == 6379, f"the Service sends to {target}, Redis listens on 6379"


def check_kserve():
    runtime = load_yaml("deploy/kserve/servingruntime.yaml")
    isvc = load_yaml("deploy/kserve/inferenceservice.yaml")
    assert runtime["apiVersion"] == "serving.kserve.io/v1alpha1" and runtime["kind"] == "ServingRuntime"
    assert isvc["apiVersion"] == "serving.kserve.io/v1beta1" and isvc["kind"] == "InferenceService"
    with open(os.path.join(SOURCE, "models", "stroke.bundle.json"), encoding="utf-8") as f:
        bundle = json.load(f)
    (model_format,) = runtime["spec"]["supportedModelFormats"]
    assert (model_format["name"], model_format["version"]) == (bundle["format"], str(bundle["format_version"]))
    assert {"v1", "v2"} <= set(runtime["spec"]["protocolVersions"])
    (container,) = runtime["spec"]["containers"]
    assert container["name"] == "kserve-container", "KServe finds its container by this name"
    args = container["args"]
    assert flag_value(args, "--model-repository") == "/mnt/models", "KServe mounts the model at /mnt/models"
    port = int(flag_value(args, "--port"))
    assert port == KSERVE_PORT == container["ports"][0]["containerPort"], f"KServe sends to {KSERVE_PORT}: {port}"
    paths = probe_paths(container, container_ports(container), KSERVE_PORT)
    model = isvc["spec"]["predictor"]["model"]
    assert model["runtime"] == runtime["metadata"]["name"], "the InferenceService names another runtime"
    assert {k: str(v) for k, v in model["modelFormat"].items()} == {
        "name": model_format["name"], "version": model_format["version"]}, "the InferenceService names another format"
    name = isvc["metadata"]["name"]
    paths += [f"/v2/models/{name}/ready", f"/v1/models/{name}"]  # what KServe's clients ask first
    return args, container.get("env", []), paths


# ---- against the program -------------------------------------------------------------------

def check_flags(serve, used_args, used_env):
    help_text = subprocess.run([serve, "--help"], capture_output=True, text=True, check=True).stdout
    known = set(re.findall(r"--[a-z][a-z0-9-]*", help_text))
    for arg in used_args:
        if arg.startswith("--"):
            assert arg.split("=")[0] in known, f"{arg}: not a stroke-serve flag"
    for name in used_env:
        if name.startswith("STROKE_"):
            flag = env_flag(name)
            assert flag in known, f"{name}: no flag {flag}"


def make_repository(prefix_dir, root):
    """The image's repository: each bundled model as <name>/1/model.bundle.json."""
    models = os.path.join(prefix_dir, "share", "stroke", "models")
    for bundle in sorted(os.listdir(models)):
        version = os.path.join(root, bundle[: -len(".bundle.json")], "1")
        os.makedirs(version)
        shutil.copy(os.path.join(models, bundle), os.path.join(version, "model.bundle.json"))


def env_flag(name):
    """STROKE_MAX_BODY_BYTES -> --max-body-bytes (apps/serve/serve_options.cc)."""
    return "--" + name[len("STROKE_"):].lower().replace("_", "-")


def run_setup(name, serve, args, env, paths, repository, redis_url):
    """Starts stroke-serve as `name` would (loopback, a free port, the test repository, the
    test's Redis: `redis_url`, or None); GETs `paths`."""
    port = free_port()
    nowhere = f"redis://127.0.0.1:{free_port()}"  # nothing listens there
    swap = {"--model-repository": repository, "--port": str(port), "--host": "127.0.0.1",
            "--log-store": redis_url or nowhere}
    argv = []
    for i, arg in enumerate(args[1:], 1):
        flag = arg.split("=")[0]
        if flag in swap and "=" in arg:
            arg = f"{flag}={swap[flag]}"
        elif args[i - 1] in swap:
            arg = swap[args[i - 1]]
        argv.append(arg)
    # A variable whose flag is also given gets a decoy: the answers then show the flag won.
    given = {a.split("=")[0] for a in argv}
    decoy = {"--model-repository": os.path.join(os.path.dirname(repository), "no-repository"), "--port": str(free_port()),
             "--host": "127.0.0.1", "--log-store": nowhere}
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("STROKE_")}
    child_env.update({k: (decoy if env_flag(k) in given else swap).get(env_flag(k), v)
                      for k, v in env.items() if k.startswith("STROKE_")})
    process = subprocess.Popen([serve] + argv, env=child_env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/livez", process, name)
        for path in paths:
            try:
                with urllib.request.urlopen(base + path, timeout=5) as answer:
                    status = answer.status
            except urllib.error.HTTPError as e:
                status = e.code
            assert status == 200, f"{name}: GET {path} -> {status}"
        with urllib.request.urlopen(base + "/models", timeout=5) as answer:
            index = json.load(answer)
        assert index["repository"] == repository and index["models"], f"{name}: serves {index}, not the repository"
        names_store = "--log-store" in given or "STROKE_LOG_STORE" in env
        if names_store and redis_url:
            state = wait_for_log_store(base)
            assert state == "ok", f"{name}: the log store it names, swapped for the test's Redis, is {state}"
    finally:
        assert stop(process) == 0, f"{name}: stroke-serve did not stop cleanly"
    shown = " ".join([f"{k}={v}" for k, v in child_env.items() if k.startswith("STROKE_")] + ["stroke-serve"] + argv)
    print(f"ok   {name}: {shown}: GET {', '.join(paths)}: 200, GET /models: the repository")


def wait_for_log_store(base):
    """/readyz's log_store state once it is "ok", or the last one after 5 s."""
    state = None
    for _ in range(100):
        with urllib.request.urlopen(base + "/readyz", timeout=5) as answer:
            state = json.load(answer)["log_store"]
        if state["state"] == "ok":
            return "ok"
        time.sleep(0.05)
    return state


def start_redis(work_dir):
    """Debian's redis-server on a free loopback port (process, URL), or (None, None) without it."""
    program = shutil.which("redis-server")
    if not program:
        print("note: no redis-server: the --log-store of each setup is checked against nothing")
        return None, None
    port = free_port()
    process = subprocess.Popen([program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", work_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"redis://127.0.0.1:{port}"


def wait_for(url, process, name):
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"{name}: stroke-serve exited {process.returncode}: {process.stderr.read()}")
            time.sleep(0.05)
    raise AssertionError(f"{name}: stroke-serve did not answer within 10 s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--cmake", default="cmake")
    options = parser.parse_args()
    shutil.rmtree(options.work_dir, ignore_errors=True)
    work_dir = os.path.abspath(options.work_dir)
    prefix_dir, repository = os.path.join(work_dir, "install"), os.path.join(work_dir, "models")
    subprocess.run([options.cmake, "--install", options.build_dir, "--prefix", prefix_dir], check=True,
                   stdout=subprocess.DEVNULL)
    serve = os.path.join(prefix_dir, "bin", "stroke-serve")
    make_repository(prefix_dir, repository)

    check_dockerignore()
    image_env, entrypoint, health_url, exposed, uid = check_dockerfile(prefix_dir)
    compose_env, compose_command, compose_url = check_compose(image_env)
    k8s_args, k8s_env, k8s_paths, k8s_port = check_kubernetes(uid)
    kserve_args, kserve_env, kserve_paths = check_kserve()
    assert exposed == k8s_port, f"the image exposes {exposed}, the Deployment listens on {k8s_port}"
    print("ok   files: README build steps, install tree, runtime packages, ports, volumes, KServe format")

    env_of = lambda items: {e["name"]: e["value"] for e in items}
    check_flags(serve, entrypoint + compose_command + k8s_args + kserve_args,
                list(image_env) + list(compose_env) + list(env_of(k8s_env)) + list(env_of(kserve_env)))
    path_of = lambda url: "/" + url.split("/", 3)[3]
    redis, redis_url = start_redis(work_dir)
    try:
        run_setup("docker run", serve, entrypoint, image_env, [path_of(health_url)], repository, redis_url)
        run_setup("compose", serve, entrypoint + compose_command, compose_env, [path_of(compose_url)], repository,
                  redis_url)
        run_setup("kubernetes", serve, entrypoint + k8s_args, dict(image_env, **env_of(k8s_env)), k8s_paths, repository,
                  redis_url)
        run_setup("kserve", serve, entrypoint + kserve_args, dict(image_env, **env_of(kserve_env)), kserve_paths,
                  repository, redis_url)
    finally:
        if redis:
            redis.terminate()
            redis.wait(timeout=10)
    shutil.rmtree(work_dir)
    print("deploy_test: all checks passed")


if __name__ == "__main__":
    sys.exit(main())
