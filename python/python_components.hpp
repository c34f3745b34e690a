#pragma once
// What the Python module's components written in Python share (internal to
// python/): calling Python from the core's threads, holding Python objects,
// reading arrays they return.

#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>

#include <functional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <ncvx/plugin_registry.hpp>

namespace ncvx::python {

namespace py = pybind11;

/// A Python exception's text as a C++ exception's message, which ends at a
/// NUL: each NUL is written as U+2400 (the symbol for NUL), as in the CSV files.
inline std::string message_of(const char* text, std::size_t length) {
  std::string message;
  for (std::size_t i = 0; i < length; ++i)
    if (text[i] == '\0') message += "\u2400";
    else message += text[i];
  return message;
}

/// Calls a Python method with the GIL held; a Python exception becomes a
/// std::runtime_error with its text (the core's guard then names the plugin).
template <class Call>
auto with_python(Call&& call) {
  py::gil_scoped_acquire gil;
  try {
    return call();
  } catch (py::error_already_set& error) {
    // what() holds the type, the message and the traceback, NULs included.
    const std::string text = py::str(error.value()).cast<std::string>();
    std::string described = error.what();
    if (text.find('\0') != std::string::npos) {
      const std::string type = py::str(error.type().attr("__name__")).cast<std::string>();
      described = type + ": " + message_of(text.data(), text.size());
    }
    throw std::runtime_error(described);
  } catch (const py::cast_error& error) {
    throw std::runtime_error(std::string("a Python component returned the wrong type: ") + error.what());
  }
}

/// Holds a Python object; releases it with the GIL held.
class PythonObject {
 public:
  explicit PythonObject(py::object object) : object_(std::move(object)) {}
  ~PythonObject() {
    py::gil_scoped_acquire gil;
    object_ = py::object();
  }
  PythonObject(const PythonObject&) = delete;
  PythonObject& operator=(const PythonObject&) = delete;
  const py::object& get() const { return object_; }

 private:
  py::object object_;
};

inline Matrix matrix_from(const py::handle& value, const char* what) {
  try {
    return value.cast<Matrix>();
  } catch (const py::cast_error&) {
    throw std::runtime_error(fmt::format("{} is not a 2-d array of floats", what));
  }
}

/// Sets the factory of a problem, measurement model or corruption written in
/// Python (data_components.cpp): `make` builds the Python object from the
/// parameters.
void add_data_factory(InProcessPlugin& plugin, std::function<py::object(const ParameterValues&)> make);

}  // namespace ncvx::python
