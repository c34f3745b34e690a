// Problems, measurement models and corruptions written in Python: numpy in,
// numpy out, every array checked against the shape it must have before the
// core reads it (a wrong shape fails with the expected one, never reaches a
// kernel). Each call takes the GIL, so Python components run one at a time
// while C++ plugins run in parallel; each draws a numpy seed from the run's
// stream, so a Python component is as deterministic as a C++ one.

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>

#include <ncvx/corruption.hpp>
#include <ncvx/measurement_model.hpp>
#include <ncvx/problem.hpp>

#include "python_components.hpp"

namespace ncvx::python {

namespace {

/// A seed for numpy from a run's stream: deterministic per (seed, stream name).
std::uint64_t numpy_seed(RandomStream& random) { return static_cast<std::uint64_t>(random.uniform() * 0x1.0p53); }

Vector vector_from(const py::handle& value, const char* what) {
  try {
    return value.cast<Vector>();
  } catch (const py::cast_error&) {
    throw std::runtime_error(fmt::format("{} is not a 1-d array of floats", what));
  }
}

void check_shape(const Matrix& M, Index rows, Index cols, const std::string& what) {
  if (M.rows() != rows || M.cols() != cols)
    throw std::runtime_error(fmt::format("{} must be {} x {}; it is {} x {}", what, rows, cols, M.rows(), M.cols()));
}

void check_size(const Vector& v, Index size, const std::string& what) {
  if (v.size() != size) throw std::runtime_error(fmt::format("{} must have {} entries; it has {}", what, size, v.size()));
}

/// (rows, cols, values) of a matrix of `shape`: three sequences of one length, indices inside.
MatrixEntries entries_from(const py::handle& value, const MatrixShape& shape, const std::string& what) {
  const auto parts = value.cast<py::sequence>();
  if (parts.size() != 3) throw std::runtime_error(what + " is (rows, cols, values): three arrays of one length");
  const auto rows = parts[0].cast<std::vector<std::int64_t>>(), cols = parts[1].cast<std::vector<std::int64_t>>();
  const Vector values = vector_from(parts[2], (what + "'s values").c_str());
  if (rows.size() != cols.size() || rows.size() != static_cast<std::size_t>(values.size()))
    throw std::runtime_error(fmt::format("{}: rows, cols and values have {}, {} and {} entries", what, rows.size(),
                                         cols.size(), values.size()));
  MatrixEntries entries;
  entries.reserve(rows.size());
  for (std::size_t e = 0; e < rows.size(); ++e) {
    if (rows[e] < 0 || rows[e] >= shape.rows || cols[e] < 0 || cols[e] >= shape.cols)
      throw std::runtime_error(fmt::format("{}: entry {} at ({}, {}) is outside the {} matrix", what, e, rows[e],
                                           cols[e], shape.describe()));
    if (!std::isfinite(values[static_cast<Index>(e)]))
      throw std::runtime_error(fmt::format("{}: entry {} is not finite", what, e));
    entries.add(static_cast<std::int32_t>(rows[e]), static_cast<std::int32_t>(cols[e]), values[static_cast<Index>(e)]);
  }
  return entries;
}

py::tuple entries_to_python(const MatrixEntries& entries) {
  return py::make_tuple(py::array(py::cast(entries.rows)), py::array(py::cast(entries.columns)),
                        py::array(py::cast(entries.values)));
}

template <class T>
T attribute_or(const py::object& object, const char* name, T fallback) {
  if (!py::hasattr(object, name)) return fallback;
  return object.attr(name).cast<T>();
}

/// A problem: describe() -> {rows, cols, symmetric, ground_truth, observed, heldout, rank};
/// sample(seed) -> {ground_truth: X, observed: (rows, cols, values), heldout: (...)};
/// optionally add_noise(y, seed) -> y.
class PythonProblem final : public Problem {
 public:
  explicit PythonProblem(py::object object) : object_(std::move(object)) {
    with_python([&] {
      const py::dict d = object_.get().attr("describe")().cast<py::dict>();
      for (const auto& [key, value] : d) {
        const auto name = key.cast<std::string>();
        if (name != "rows" && name != "cols" && name != "symmetric" && name != "ground_truth" &&
            name != "observed" && name != "heldout" && name != "rank")
          throw std::runtime_error("describe() returned the unknown key '" + name +
                                   "' (rows, cols, symmetric, ground_truth, observed, heldout, rank)");
      }
      if (!d.contains("rows") || !d.contains("cols")) throw std::runtime_error("describe() needs rows and cols");
      const auto rows = d["rows"].cast<std::int64_t>(), cols = d["cols"].cast<std::int64_t>();
      const bool symmetric = d.contains("symmetric") && d["symmetric"].cast<bool>();
      if (rows < 1 || cols < 1 || rows > (1 << 30) || cols > (1 << 30))
        throw std::runtime_error(fmt::format("describe(): a {} x {} matrix is not one ncvx can hold", rows, cols));
      if (symmetric && rows != cols) throw std::runtime_error("describe(): a symmetric matrix is square");
      description_.shape = symmetric ? MatrixShape::square_symmetric(rows) : MatrixShape::rectangular(rows, cols);
      description_.observed = d.contains("observed") && d["observed"].cast<bool>();
      description_.heldout = d.contains("heldout") && d["heldout"].cast<bool>();
      description_.ground_truth = d.contains("ground_truth") ? d["ground_truth"].cast<bool>() : !description_.observed;
      description_.rank = d.contains("rank") ? d["rank"].cast<Index>() : 0;
      if (!description_.ground_truth && !description_.observed)
        throw std::runtime_error("describe(): a problem gives a ground truth, observed entries, or both");
      if (description_.rank < 0 || description_.rank > std::min(rows, cols))
        throw std::runtime_error(fmt::format("describe(): rank {} for a {} x {} matrix", description_.rank, rows, cols));
      return 0;
    });
  }

  ProblemDescription describe() const override { return description_; }

  ProblemData sample(RandomStream& random) const override {
    const auto seed = numpy_seed(random);
    return with_python([&] {
      const py::dict d = object_.get().attr("sample")(seed).cast<py::dict>();
      const MatrixShape& shape = description_.shape;
      ProblemData data;
      for (const auto& [key, value] : d) {
        const auto name = key.cast<std::string>();
        const bool announced = name == "ground_truth"   ? description_.ground_truth
                               : name == "observed" ? description_.observed
                               : name == "heldout"  ? description_.heldout
                                                    : false;
        if (!announced)
          throw std::runtime_error("sample() returned '" + name + "', which describe() did not announce");
      }
      auto wanted = [&](const char* name, bool announced) {
        if (announced && !d.contains(name))
          throw std::runtime_error(std::string("sample() did not return '") + name + "', which describe() announced");
        return announced;
      };
      if (wanted("ground_truth", description_.ground_truth)) {
        const Matrix X = matrix_from(d["ground_truth"], "sample()'s ground_truth");
        check_shape(X, shape.rows, shape.cols, "sample()'s ground_truth");
        if (!X.allFinite()) throw std::runtime_error("sample()'s ground_truth is not finite");
        if (shape.symmetric && (X - X.transpose()).cwiseAbs().maxCoeff() > 1e-12 * std::max(1.0, X.cwiseAbs().maxCoeff()))
          throw std::runtime_error("sample()'s ground_truth is not symmetric, and describe() says it is");
        data.ground_truth = GroundTruth::from_dense(X, shape.symmetric, description_.rank);
      }
      if (wanted("observed", description_.observed))
        data.observed = entries_from(d["observed"], shape, "sample()'s observed");
      if (wanted("heldout", description_.heldout))
        data.heldout = entries_from(d["heldout"], shape, "sample()'s heldout");
      return data;
    });
  }

  void add_noise(Vector& observations, RandomStream& random) const override {
    const auto seed = numpy_seed(random);
    with_python([&] {
      if (!py::hasattr(object_.get(), "add_noise")) return 0;
      const Vector noisy = vector_from(object_.get().attr("add_noise")(Vector(observations), seed), "add_noise's result");
      check_size(noisy, observations.size(), "add_noise's result");
      observations = noisy;
      return 0;
    });
  }

 private:
  PythonObject object_;
  ProblemDescription description_;
};

/// The operator a Python measurement model samples: forward(X) -> y,
/// adjoint(v) -> A*(v) (dense), optionally adjoint_apply(v, M) -> A*(v) M.
class PythonOperator final : public MeasurementOperator {
 public:
  PythonOperator(py::object object, const MatrixShape& shape) : object_(std::move(object)), shape_(shape) {
    with_python([&] {
      const py::object m = object_.get().attr("measurements");
      measurements_ = (PyCallable_Check(m.ptr()) ? m() : m).cast<Index>();
      fast_adjoint_ = py::hasattr(object_.get(), "adjoint_apply");
      return 0;
    });
    if (measurements_ < 1) throw std::runtime_error(fmt::format("the operator has {} measurements", measurements_));
  }

  MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return measurements_; }

  void forward(const Matrix& X, Vector& out) const override {
    with_python([&] {
      out = vector_from(object_.get().attr("forward")(X), "forward's result");
      check_size(out, measurements_, "forward's result");
      return 0;
    });
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    if (!fast_adjoint_) {
      out = adjoint(v) * M;
      return;
    }
    with_python([&] {
      out = matrix_from(object_.get().attr("adjoint_apply")(v, M), "adjoint_apply's result");
      check_shape(out, shape_.rows, M.cols(), "adjoint_apply's result");
      return 0;
    });
  }

  Matrix adjoint(const Vector& v) const override {
    return with_python([&] {
      Matrix A = matrix_from(object_.get().attr("adjoint")(v), "adjoint's result");
      check_shape(A, shape_.rows, shape_.cols, "adjoint's result");
      return A;
    });
  }

 private:
  PythonObject object_;
  MatrixShape shape_;
  Index measurements_ = 0;
  bool fast_adjoint_ = false;
};

/// A measurement model: sample(shape, observed, seed) -> an operator; optionally `isometric`.
class PythonMeasurementModel final : public MeasurementModel {
 public:
  explicit PythonMeasurementModel(py::object object) : object_(std::move(object)) {}

  std::unique_ptr<MeasurementOperator> sample(const MeasurementSetting& setting, RandomStream& random) const override {
    const auto seed = numpy_seed(random);
    py::object sampled = with_python([&] {
      py::dict shape;
      shape["rows"] = setting.shape.rows;
      shape["cols"] = setting.shape.cols;
      shape["symmetric"] = setting.shape.symmetric;
      const py::object observed = setting.observed ? py::object(entries_to_python(*setting.observed)) : py::none();
      return object_.get().attr("sample")(shape, observed, seed);
    });
    return std::make_unique<PythonOperator>(std::move(sampled), setting.shape);
  }

  bool isometric_in_expectation(const MatrixShape&) const override {
    return with_python([&] { return attribute_or(object_.get(), "isometric", false); });
  }

 private:
  PythonObject object_;
};

/// A corruption: corrupt(y, seed) -> y (the same size).
class PythonCorruption final : public Corruption {
 public:
  explicit PythonCorruption(py::object object) : object_(std::move(object)) {}
  void corrupt(Vector& observations, RandomStream& random) const override {
    const auto seed = numpy_seed(random);
    with_python([&] {
      const Vector corrupted =
          vector_from(object_.get().attr("corrupt")(Vector(observations), seed), "corrupt's result");
      check_size(corrupted, observations.size(), "corrupt's result");
      observations = corrupted;
      return 0;
    });
  }

 private:
  PythonObject object_;
};

}  // namespace

void add_data_factory(InProcessPlugin& plugin, std::function<py::object(const ParameterValues&)> make) {
  switch (plugin.info.kind) {
    case PluginKind::problem:
      plugin.create_problem = [make](const ParameterValues& v) { return std::make_unique<PythonProblem>(make(v)); };
      break;
    case PluginKind::measurement:
      plugin.create_measurement = [make](const ParameterValues& v) {
        return std::make_unique<PythonMeasurementModel>(make(v));
      };
      break;
    case PluginKind::corruption:
      plugin.create_corruption = [make](const ParameterValues& v) {
        return std::make_unique<PythonCorruption>(make(v));
      };
      break;
    default:
      break;
  }
}

}  // namespace ncvx::python
