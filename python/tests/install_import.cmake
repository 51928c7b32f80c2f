# ctest script: cmake --install into the build tree, then import stroke from
# the installed package (nothing from the build tree on the path) and predict.
# Inputs: BUILD_DIR, PYTHON, PYTHONDIR (relative to the prefix), MODELS_DIR.
set(prefix "${BUILD_DIR}/test-install-python")
file(REMOVE_RECURSE "${prefix}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}"
                RESULT_VARIABLE result OUTPUT_QUIET)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${result})")
endif()
set(check [=[
import sys, stroke
assert stroke.__file__.startswith(sys.argv[1]), stroke.__file__
model = stroke.Model.load(sys.argv[2] + "/share/stroke/models/stroke.bundle.json")
p = model.predict_proba([{"gender": "Male", "age": 67, "hypertension": False, "heart_disease": True,
    "ever_married": "Yes", "work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69,
    "bmi": 36.6, "smoking_status": "formerly smoked"}])
assert p.shape == (1, 2), p.shape
assert stroke.Client.__module__ == "stroke"  # the pure-Python client is installed too
print("installed stroke", stroke.__version__, "at", stroke.__file__, "P(stroke) =", p[0, 1])
]=])
# -I: isolated (no PYTHONPATH, no current directory); only the installed package is added.
execute_process(COMMAND ${PYTHON} -I -c "import sys; sys.path.insert(0, sys.argv[1]); exec(sys.argv[3])"
                        "${prefix}/${PYTHONDIR}" "${prefix}" "${check}"
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "importing the installed stroke failed (${result})")
endif()
