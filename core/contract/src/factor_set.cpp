#include "ncvx/factor_set.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "ncvx/matrix_entries.hpp"
#include "ncvx/matrix_shape.hpp"

namespace ncvx {

std::string MatrixShape::describe() const {
  if (is_tensor()) return fmt::format("{} x {} x {} tensor", modes[0], modes[1], modes[2]);
  return fmt::format("{} x {}{}", rows, cols, symmetric ? " symmetric" : "");
}

void MatrixEntries::reserve(std::size_t count) {
  rows.reserve(count);
  columns.reserve(count);
  values.reserve(count);
}

void MatrixEntries::add(Index row, Index column, double value) {
  rows.push_back(static_cast<std::int32_t>(row));
  columns.push_back(static_cast<std::int32_t>(column));
  values.push_back(value);
}

FactorSet::FactorSet(Matrix U) { parts_[0] = std::move(U); }

FactorSet::FactorSet(Matrix U, Matrix V) : parts_(2) {
  if (U.cols() != V.cols())
    throw std::invalid_argument(fmt::format("a factor set U V^T needs factors of equal width; got "
                                            "{} and {} columns",
                                            U.cols(), V.cols()));
  parts_[0] = std::move(U);
  parts_[1] = std::move(V);
}

FactorSet::FactorSet(const FactorShape& shape, std::vector<Matrix> blocks)
    : parts_(std::move(blocks)), general_(true), shape_(shape) {
  if (!shape.general() || parts_.size() != shape.blocks.size())
    throw std::invalid_argument(fmt::format("a general factor set was given {} blocks for a shape of {}",
                                            parts_.size(), shape.blocks.size()));
  for (std::size_t i = 0; i < parts_.size(); ++i)
    if (parts_[i].rows() != shape.blocks[i].rows || parts_[i].cols() != shape.blocks[i].cols)
      throw std::invalid_argument(fmt::format("block {} of a general factor set is {} x {}; its shape says {} x {}",
                                              i + 1, parts_[i].rows(), parts_[i].cols(), shape.blocks[i].rows,
                                              shape.blocks[i].cols));
}

FactorSet FactorSet::zeros(const FactorShape& shape) {
  if (shape.general()) {
    std::vector<Matrix> blocks;
    for (const BlockShape& block : shape.blocks) blocks.push_back(Matrix::Zero(block.rows, block.cols));
    return FactorSet(shape, std::move(blocks));
  }
  if (shape.symmetric) return FactorSet(Matrix::Zero(shape.rows, shape.width));
  return FactorSet(Matrix::Zero(shape.rows, shape.width), Matrix::Zero(shape.cols, shape.width));
}

FactorShape FactorSet::shape() const {
  if (general_) {
    FactorShape shape = shape_;  // the blocks as they are now (an optimizer may have resized one)
    for (std::size_t i = 0; i < parts_.size(); ++i) shape.blocks[i] = {parts_[i].rows(), parts_[i].cols()};
    return shape;
  }
  return {parts_[0].rows(), right().rows(), width(), symmetric()};
}

std::string FactorShape::describe() const {
  if (!general())
    return symmetric ? fmt::format("U {} x {}", rows, width)
                     : fmt::format("U {} x {}, V {} x {}", rows, width, cols, width);
  std::string text = "blocks ";
  for (std::size_t i = 0; i < blocks.size(); ++i)
    text += fmt::format("{}{} x {}", i ? ", " : "", blocks[i].rows, blocks[i].cols);
  return text;
}

std::string FactorSet::describe() const {
  if (general_) return shape().describe();
  std::string text = fmt::format("U {} x {}", left().rows(), left().cols());
  if (!symmetric()) text += fmt::format(", V {} x {}", right().rows(), right().cols());
  return text;
}

void FactorSet::resize(const FactorShape& shape) {
  general_ = shape.general();
  if (general_) {
    shape_ = shape;
    parts_.resize(shape.blocks.size());
    for (std::size_t i = 0; i < parts_.size(); ++i) parts_[i].resize(shape.blocks[i].rows, shape.blocks[i].cols);
    return;
  }
  shape_ = FactorShape{};
  parts_.resize(shape.symmetric ? 1 : 2);
  parts_[0].resize(shape.rows, shape.width);
  if (!shape.symmetric) parts_[1].resize(shape.cols, shape.width);
}

void FactorSet::set_zero() {
  for (Matrix& part : parts_) part.setZero();
}

namespace {
/// Arithmetic between two factor sets needs the same shapes (an optimizer's
/// state of another run, say, would be read outside its arrays).
void require_same(const FactorSet& a, const FactorSet& b) {
  if (a.size() != b.size() || a.general() != b.general())
    throw std::invalid_argument("factor sets of different factorizations combined");
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].rows() != b[i].rows() || a[i].cols() != b[i].cols())
      throw std::invalid_argument("factor sets of different shapes combined (" + std::to_string(a[i].rows()) + " x " +
                                  std::to_string(a[i].cols()) + " and " + std::to_string(b[i].rows()) + " x " +
                                  std::to_string(b[i].cols()) + ")");
}
}  // namespace

FactorSet& FactorSet::operator+=(const FactorSet& other) {
  require_same(*this, other);
  for (std::size_t i = 0; i < parts_.size(); ++i) parts_[i] += other.parts_[i];
  return *this;
}

FactorSet& FactorSet::operator-=(const FactorSet& other) {
  require_same(*this, other);
  for (std::size_t i = 0; i < parts_.size(); ++i) parts_[i] -= other.parts_[i];
  return *this;
}

FactorSet& FactorSet::operator+=(const ScaledFactorSet& other) {
  require_same(*this, other.factors);
  for (std::size_t i = 0; i < parts_.size(); ++i) parts_[i] += other.scale * other.factors.parts_[i];
  return *this;
}

FactorSet& FactorSet::operator-=(const ScaledFactorSet& other) {
  require_same(*this, other.factors);
  for (std::size_t i = 0; i < parts_.size(); ++i) parts_[i] -= other.scale * other.factors.parts_[i];
  return *this;
}

FactorSet& FactorSet::operator*=(double scale) {
  for (std::size_t i = 0; i < parts_.size(); ++i) parts_[i] *= scale;
  return *this;
}

FactorSet FactorSet::operator+(const FactorSet& other) const {
  FactorSet sum = *this;
  return sum += other;
}

FactorSet FactorSet::operator-(const FactorSet& other) const {
  FactorSet difference = *this;
  return difference -= other;
}

FactorSet FactorSet::operator-() const {
  FactorSet negated = *this;
  return negated *= -1.0;
}

FactorSet operator*(double scale, FactorSet&& factors) {
  factors *= scale;
  return std::move(factors);
}

double FactorSet::dot(const FactorSet& other) const {
  require_same(*this, other);
  double sum = 0;
  for (std::size_t i = 0; i < parts_.size(); ++i) sum += (parts_[i].array() * other.parts_[i].array()).sum();
  return sum;
}

double FactorSet::squared_norm() const {
  double sum = 0;
  for (std::size_t i = 0; i < parts_.size(); ++i) sum += parts_[i].squaredNorm();
  return sum;
}

double FactorSet::norm() const { return std::sqrt(squared_norm()); }

bool FactorSet::all_finite() const {
  for (std::size_t i = 0; i < parts_.size(); ++i)
    if (!parts_[i].allFinite()) return false;
  return true;
}

Matrix FactorSet::product() const {
  if (general_)
    throw std::logic_error("FactorSet::product of a general factor set: its product is its factorization's "
                           "(Factorization::lift)");
  return left() * right().transpose();
}

bool operator==(const FactorSet& a, const FactorSet& b) {
  if (a.parts_.size() != b.parts_.size() || a.general_ != b.general_) return false;
  for (std::size_t i = 0; i < a.parts_.size(); ++i)
    if (a.parts_[i].rows() != b.parts_[i].rows() || a.parts_[i].cols() != b.parts_[i].cols() ||
        a.parts_[i] != b.parts_[i])
      return false;
  return true;
}

}  // namespace ncvx
