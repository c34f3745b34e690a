// ncvx_bench CASE ARGS...: one benchmark case, one CSV line on stdout
// (case,n,m,k,K,median_seconds,per_trajectory_seconds,stored_bytes,peak_rss_bytes,note).
//
//   machine                       read bandwidth (all cores, and one), arithmetic peak of the
//                                 kernels' multiply-add (one core), dgemm rate (one thread)
//   sensing N M K ITERATIONS [single]  GD on Gaussian sensing, width K, one trajectory
//                                 (single: the operator stored in float)
//   lockstep N M K RUNS ITERATIONS  RUNS GD trajectories sharing the instance, in lockstep
//   separate N M K RUNS ITERATIONS  the same RUNS trajectories without lockstep, two at a
//                                 time on two threads (what the runner does otherwise)
//   completion N OBSERVED K ITERATIONS  GD on matrix completion with about OBSERVED entries
//   spectral MODEL N SIZE K       spectral initialization (SIZE = m or observed entries)
//   method_step N1 N2 P K OPTIMIZER ITERATIONS  one iteration of OPTIMIZER (e.g. riemannian_gd, or
//                                 NAME:KEY=VALUE for one parameter: gauss_newton:sweep=simultaneous)
//                                 beside one of gd, alternating, on completion of an N1 x N2 rank-K X*
//                                 with a fraction P observed (note: the ratio, the method's time over gd's)
//   factorization_step NAME N1 N2 N3 P K DEPTH ITERATIONS  one gd iteration on the factorization NAME
//                                 (deep of DEPTH on an N1 x N2 completion, or cp on an N1 x N2 x N3
//                                 tensor completion; fraction P observed, width K) beside one on
//                                 X = U V^T of the same width on the same operator, and the lift and
//                                 chain rule alone (note: ratio = NAME / (uv + lift and chain rule))
//   device_sensing N M K ITERATIONS [double|single|regenerated]  GD on Gaussian sensing with the trajectory on the device
//                                 (backend: cuda; NCVX_DEVICE_BACKEND chooses another backend), width K;
//                                 note: the device, its copy rate and the floor: one read of the stored
//                                 operator at that rate
//   device_completion N OBSERVED K ITERATIONS  the same for completion of an N x N symmetric matrix
//   write_ratings FILE BYTES      a u.data-layout file of about BYTES (70 000 users, 20 011 items)
//   ratings FILE [FORMAT]         the ratings problem reading FILE (seconds, MB/s, peak memory
//                                 against the 16 bytes stored per rating)
//
// Everything goes through the real plugins, loaded from the build's plugin
// folder, and the core's objective, as `ncvx run` does.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#ifdef NCVX_HAVE_RANDOM123
#include <Random123/boxmuller.hpp>
#include <Random123/philox.h>
#endif
#include <fmt/format.h>

#include <ncvx/study/device_backend.hpp>
#include <ncvx/study/lockstep.hpp>
#include <ncvx/device_form.hpp>
#include <ncvx/plugin_registry.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/problem_instance.hpp>
#include <ncvx/study/run_loop.hpp>

using namespace ncvx;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

long peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024L;
}

const PluginRegistry& plugins() {
  static PluginRegistry registry;
  static bool scanned = false;
  if (!scanned) {
    // NCVX_BENCH_PLUGINS: another build's plugin folder, to measure two versions side by side.
    const char* other = std::getenv("NCVX_BENCH_PLUGINS");
    registry.scan({other ? other : NCVX_BENCH_PLUGIN_DIR});
    scanned = true;
  }
  return registry;
}

ParameterValues values_for(PluginKind kind, const std::string& name,
                           const std::vector<std::pair<std::string, ParameterValue>>& changes) {
  ParameterValues values = ParameterValues::defaults(plugins().find(kind, name).info().parameters);
  for (const auto& [key, value] : changes) values.set(key, value);
  return values;
}

/// The instance the core builds for seed 1: low_rank_psd (n, rank) measured by `model`.
std::shared_ptr<const ProblemInstance> instance(const std::string& model, Index n, Index rank,
                                                const std::vector<std::pair<std::string, ParameterValue>>& parameters) {
  std::string measurement = "{name: " + model;
  for (const auto& [key, value] : parameters) measurement += ", " + key + ": " + to_string(value);
  measurement += "}";
  const std::string text = "problem: {n: " + std::to_string(n) + ", rank: " + std::to_string(rank) +
                           "}\nmeasurement: " + measurement +
                           "\nmethods: [{init: small_random, optimizer: gd, width: 1}]\nrun: {seeds: [1]}\n";
  const Experiment experiment = make_experiment(parse_config_text(text, {"bench", 0, 0, ""}), "bench", plugins());
  return build_instance(experiment.run(0), experiment, plugins());
}

void print(const std::string& name, Index n, Index m, Index k, Index runs, double median_seconds,
           double per_trajectory, double stored_bytes, const std::string& note) {
  std::printf("%s,%ld,%ld,%ld,%ld,%.6e,%.6e,%.6e,%ld,%s\n", name.c_str(), static_cast<long>(n),
              static_cast<long>(m), static_cast<long>(k), static_cast<long>(runs), median_seconds,
              per_trajectory, stored_bytes, peak_rss_bytes(), note.c_str());
}

/// Eight independent sums over a buffer, vectorized with AVX2 where the CPU
/// has it (as the fused kernels are): the single-thread read bandwidth.
__attribute__((target("avx2"))) double sum_avx2(const double* data, std::size_t count) {
  double s[8] = {};
  for (std::size_t i = 0; i + 8 <= count; i += 8)
    for (int l = 0; l < 8; ++l) s[l] += data[i + static_cast<std::size_t>(l)];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}
double sum_default(const double* data, std::size_t count) {
  double s[8] = {};
  for (std::size_t i = 0; i + 8 <= count; i += 8)
    for (int l = 0; l < 8; ++l) s[l] += data[i + static_cast<std::size_t>(l)];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

typedef double lanes4 __attribute__((vector_size(32)));

/// The arithmetic peak the kernels can use: two vectors against four (eight
/// independent sums, each adding a four-double product per step: a multiply,
/// then an add, no FMA, as the kernels are compiled), AVX2, as a register
/// block of a dot-product kernel. (Twelve chains that multiply and add into
/// the same value, measured before, leave the pipes idle part of the time.)
__attribute__((target("avx2"))) double peak_rate(long steps) {
  lanes4 sum[2][4], x[4];
  for (int r = 0; r < 2; ++r)
    for (int j = 0; j < 4; ++j) sum[r][j] = lanes4{1.0 + j, 1.0 + r, 1.0, 1.0};
  for (int j = 0; j < 4; ++j) x[j] = lanes4{1e-9, 2e-9, 3e-9, 1e-9 * j};
  lanes4 s0 = {1e-9, 1e-9, 1e-9, 1e-9}, s1 = {2e-9, 2e-9, 2e-9, 2e-9};
  const auto start = Clock::now();
  for (long i = 0; i < steps; ++i) {
    asm volatile("" : "+x"(s0), "+x"(s1));  // new rows each step: no product is hoisted
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      sum[0][j] = sum[0][j] + s0 * x[j];
      sum[1][j] = sum[1][j] + s1 * x[j];
    }
  }
  const double seconds = seconds_since(start);
  double sink = 0;
  for (int r = 0; r < 2; ++r)
    for (int j = 0; j < 4; ++j) sink += sum[r][j][0];
  if (sink == 12345.678) std::printf("#");
  return static_cast<double>(steps) * 8 * 2 * 4 / seconds;
}

/// Random reads of 256-byte rows (32 doubles) from a 512 KiB block that stays
/// in the core's L2 cache, summed into eight independent vectors (with and without prefetching the
/// rows eight ahead, the faster): the rate at
/// which a pass can touch scattered factor rows, as structured sensing's
/// sampled passes do (one row piece per coordinate and slice). Bytes per second.
__attribute__((target("avx2"))) double cache_rows(const double* block, const std::vector<int>& order,
                                                   bool prefetch) {
  lanes4 s[8] = {};
  const std::size_t count = order.size() - 8;
  for (std::size_t i = 0; i < count; ++i) {
    const double* piece = block + static_cast<std::size_t>(order[i]) * 32;
    if (prefetch) {
      const double* ahead = block + static_cast<std::size_t>(order[i + 8]) * 32;
      for (int l = 0; l < 32; l += 8) __builtin_prefetch(ahead + l);
    }
    for (int l = 0; l < 8; ++l) {
      lanes4 v;
      std::memcpy(&v, piece + 4 * l, sizeof v);
      s[l] += v;
    }
  }
  double sink = 0;
  for (int l = 0; l < 8; ++l) sink += s[l][0];
  return sink;
}

double cache_row_rate(double& sink) {
  constexpr int rows = 2048;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<int> order(std::size_t{1} << 20);
  std::mt19937 generator(1);
  for (int& row : order) row = static_cast<int>(generator() % rows);
  double best = 0;
  for (const bool prefetch : {false, true}) {  // the faster of the two
    std::vector<double> times;
    for (int repeat = 0; repeat < 7; ++repeat) {
      std::vector<double> parts(cores);
      std::vector<std::vector<double>> blocks(cores, std::vector<double>(rows * 32, 1.0));
      const auto start = Clock::now();
      std::vector<std::thread> threads;
      for (unsigned t = 0; t < cores; ++t)
        threads.emplace_back([&, t] { parts[t] = cache_rows(blocks[t].data(), order, prefetch); });
      for (auto& thread : threads) thread.join();
      times.push_back(seconds_since(start));
      for (double part : parts) sink += part;
    }
    best = std::max(best, static_cast<double>(cores) * static_cast<double>(order.size() - 8) * 256.0 / median(times));
  }
  return best;
}

/// Read bandwidth over 1 GiB (all cores, and one thread) and the rate of a
/// 1500^3 dgemm (Eigen, one thread, as the core is built).
void machine() {
  const std::size_t count = (std::size_t{1} << 30) / sizeof(double);
  std::vector<double> buffer(count);
  for (std::size_t i = 0; i < count; ++i) buffer[i] = static_cast<double>(i % 7);
  auto sum = [](const double* data, std::size_t size) {
    return __builtin_cpu_supports("avx2") ? sum_avx2(data, size) : sum_default(data, size);
  };
  std::vector<double> times;
  double sink = 0;
  for (int repeat = 0; repeat < 7; ++repeat) {
    const auto start = Clock::now();
    sink += sum(buffer.data(), count);
    times.push_back(seconds_since(start));
  }
  const double single_bandwidth = static_cast<double>(count * sizeof(double)) / median(times);
  // All cores, each reading its own part: what a pass split over segments gets.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  times.clear();
  for (int repeat = 0; repeat < 7; ++repeat) {
    std::vector<double> parts(cores);
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < cores; ++t)
      threads.emplace_back([&, t] {
        const std::size_t first = count * t / cores, last = count * (t + 1) / cores;
        parts[t] = sum(buffer.data() + first, last - first);
      });
    for (auto& thread : threads) thread.join();
    times.push_back(seconds_since(start));
    for (double part : parts) sink += part;
  }
  const double bandwidth = static_cast<double>(count * sizeof(double)) / median(times);
  const Index size = 1500;
  const Matrix a = Matrix::Random(size, size), b = Matrix::Random(size, size);
  Matrix c(size, size);
  times.clear();
  for (int repeat = 0; repeat < 5; ++repeat) {
    const auto start = Clock::now();
    c.noalias() = a * b;
    times.push_back(seconds_since(start));
  }
  const double rate = 2.0 * size * size * size / median(times);
  std::vector<double> peaks;
  for (int repeat = 0; repeat < 5; ++repeat)
    peaks.push_back(__builtin_cpu_supports("avx2") ? peak_rate(50'000'000) : rate);
  const double peak = median(peaks);
  const double cache_rate = __builtin_cpu_supports("avx2") ? cache_row_rate(sink) : 0.0;
  std::printf("machine,0,0,0,0,%.6e,%.6e,%.6e,%ld,bandwidth_GBps=%.3f single_thread_GBps=%.3f "
              "dgemm_GFlops=%.3f peak_GFlops=%.3f cache_rows_GBps=%.3f sink=%g\n",
              bandwidth, peak, single_bandwidth, peak_rss_bytes(), bandwidth / 1e9, single_bandwidth / 1e9,
              rate / 1e9, peak / 1e9, cache_rate / 1e9, sink + c(0, 0));
}

/// GD on one instance: `runs` trajectories (alone when runs == 1, else in
/// lockstep, or with `separate` on two threads each on its own).
void gradient_descent(const std::string& name, const ProblemInstance& problem, Index k, Index runs,
                      Index iterations, double stored_bytes, const std::string& note, bool separate = false) {
  const auto loss = plugins().find(PluginKind::loss, "squared").create_loss({});
  const double step = 0.1;
  const Index n = problem.shape().rows;
  std::vector<FactorSet> factors;
  for (Index j = 0; j < runs; ++j) {
    RandomStream random(static_cast<std::uint64_t>(j + 1), "init");
    Matrix U(n, k);
    random.fill_normal(U, 1e-6 / static_cast<double>(k));
    factors.emplace_back(std::move(U));
  }
  std::vector<std::vector<double>> times(static_cast<std::size_t>(runs));
  auto trajectory = [&](Index j, Lockstep* lockstep) {
    Objective objective(problem.measurement(), *loss, problem.observations());
    objective.join(lockstep);
    FactorSet gradient;
    FactorSet& U = factors[static_cast<std::size_t>(j)];
    for (Index t = 0; t <= iterations; ++t) {  // iteration 0 warms up
      const auto start = Clock::now();
      objective.value_and_gradient(U, gradient);
      U -= step * gradient;
      if (t > 0) times[static_cast<std::size_t>(j)].push_back(seconds_since(start));
    }
    if (lockstep) lockstep->leave();
  };
  if (runs == 1) {
    trajectory(0, nullptr);
  } else if (separate) {
    const auto start = Clock::now();
    std::atomic<Index> next{0};
    auto worker = [&] {
      for (Index j = next++; j < runs; j = next++) trajectory(j, nullptr);
    };
    std::thread other(worker);
    worker();
    other.join();
    const double total = seconds_since(start) / static_cast<double>(iterations + 1);
    print(name, n, problem.measurement().measurements(), k, runs, total,
          total / static_cast<double>(runs), stored_bytes, note);
    return;
  } else {
    Lockstep lockstep(problem.measurement(), *loss, problem.observations(), static_cast<std::size_t>(runs));
    std::vector<std::thread> threads;
    for (Index j = 0; j < runs; ++j) threads.emplace_back(trajectory, j, &lockstep);
    for (auto& thread : threads) thread.join();
  }
  const double per_round = median(times[0]);
  print(name, n, problem.measurement().measurements(), k, runs, per_round,
        per_round / static_cast<double>(runs), stored_bytes, note);
}

/// The rate of regenerated sensing's generator alone (Philox4x64-10 and two
/// Box-Muller pairs per call) on every core: the part of its floor no kernel
/// can avoid. Prints normals per second as median_seconds.
void generator(Index count) {
#ifdef NCVX_HAVE_RANDOM123
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<double> times;
  double sink = 0.0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    std::vector<double> parts(cores, 0.0);
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < cores; ++t)
      threads.emplace_back([&, t] {
        const r123::Philox4x64 generate;
        const r123::Philox4x64::key_type key{{1, 2}};
        double sum = 0.0;
        for (Index q = count / 4 * t / cores; q < count / 4 * (t + 1) / cores; ++q) {
          const auto bits = generate(r123::Philox4x64::ctr_type{{static_cast<std::uint64_t>(q), 0}}, key);
          const r123::double2 a = r123::boxmuller(bits[0], bits[1]), b = r123::boxmuller(bits[2], bits[3]);
          sum += (a.x + a.y) + (b.x + b.y);
        }
        parts[t] = sum;
      });
    for (auto& thread : threads) thread.join();
    times.push_back(seconds_since(start));
    for (double part : parts) sink += part;
  }
  const double rate = static_cast<double>(count) / median(times);
  std::printf("generator,0,%ld,0,0,%.6e,0,0,%ld,normals_per_second sink=%g\n", static_cast<long>(count), rate,
              peak_rss_bytes(), sink);
#else
  (void)count;
  std::fprintf(stderr, "built without Random123\n");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ncvx_bench machine | sensing N M K ITERATIONS | lockstep N M K RUNS "
                         "ITERATIONS | completion N OBSERVED K ITERATIONS | rank_one N M K ITERATIONS | structured N M K ITERATIONS | "
                         "spectral MODEL N SIZE K | "
                         "generator COUNT\n");
    return 2;
  }
  const std::string which = argv[1];
  auto arg = [&](int i) { return static_cast<Index>(std::stoll(argv[i])); };
  try {
    if (which == "machine") {
      machine();
    } else if (which == "generator") {
      generator(arg(2));
    } else if (which == "sensing" || which == "lockstep" || which == "separate") {
      const Index n = arg(2), m = arg(3), k = arg(4);
      const bool several = which != "sensing";
      const Index runs = several ? arg(5) : 1;
      const Index iterations = arg(several ? 6 : 5);
      const int storage_arg = several ? 7 : 6;
      const std::string storage = argc > storage_arg ? argv[storage_arg] : "double";
      const auto problem = instance("gaussian_sensing", n, std::min<Index>(5, n),
                                    {{"m", std::int64_t{m}}, {"storage", storage}});
      const double stored =
          static_cast<double>(m) * static_cast<double>(n * (n + 1) / 2) * (storage == "single" ? 4.0 : 8.0);
      gradient_descent(which, *problem, k, runs, iterations, stored, "storage=" + storage, which == "separate");
    } else if (which == "completion") {
      const Index n = arg(2), observed = arg(3), k = arg(4), iterations = arg(5);
      const double p = std::min(1.0, static_cast<double>(observed) / (0.5 * static_cast<double>(n) * (n + 1)));
      const auto problem = instance("matrix_completion", n, 5, {{"p", p}});
      // What one iteration must read: Omega's stored positions (4 bytes each) and
      // the observations y (8), plus the factor rows (read U, write the gradient).
      const double observed_entries = static_cast<double>(problem->measurement().measurements());
      const double stored = observed_entries * (4.0 + 8.0) + 16.0 * static_cast<double>(n * k);
      gradient_descent("completion", *problem, k, 1, iterations, stored,
                       "observed=" + std::to_string(problem->measurement().measurements()));
    } else if (which == "structured") {
      // Structured sensing (hadamard_sensing): O(m + n) storage, fast transforms and sampled passes.
      const Index n = arg(2), m = arg(3), k = arg(4), iterations = arg(5);
      const auto problem = instance("hadamard_sensing", n, 2, {{"m", std::int64_t{m}}});
      // What one iteration must read and write in memory: the factor U and the
      // gradient (its own storage is O(m + n)); the sampled passes' row reads
      // from cache are counted by the report.
      gradient_descent("structured", *problem, k, 1, iterations, 16.0 * static_cast<double>(n * k), "");
    } else if (which == "rank_one") {
      // Rank-one (phase retrieval) measurements: one read of the m x n matrix per iteration.
      const Index n = arg(2), m = arg(3), k = arg(4), iterations = arg(5);
      const auto problem = instance("rank_one", n, 1, {{"m", std::int64_t{m}}});
      gradient_descent("rank_one", *problem, k, 1, iterations, 8.0 * static_cast<double>(m * n), "");
    } else if (which == "device_sensing" || which == "device_completion") {
      const bool sensing = which == "device_sensing";
      const Index n = arg(2), size = arg(3), k = arg(4), iterations = arg(5);
      // the operator's storage: double, single (float, and float arithmetic), or regenerated (Philox)
      const std::string storage = argc > 6 ? argv[6] : "double";
      const bool single = storage == "single";
      std::string why;
      const DeviceBackend* backend = device_backend(why);
      if (!backend) throw std::runtime_error(why);
      const double p = std::min(1.0, static_cast<double>(size) / (0.5 * static_cast<double>(n) * (n + 1)));
      const auto problem =
          sensing ? instance("gaussian_sensing", n, 5, {{"m", std::int64_t{size}}, {"storage", storage}})
                  : instance("matrix_completion", n, 5, {{"p", p}});
      const auto* described = dynamic_cast<const DeviceDescribed*>(&problem->measurement());
      if (!described) throw std::runtime_error("the operator describes no device form");
      const DeviceForm form = described->device_form();
      RandomStream random(1, "bench");
      Matrix U(n, k);
      random.fill_normal(U, 1e-3);
      DeviceRunSpec spec;
      spec.step = 0.1;
      spec.single = single;
      const auto trajectory = backend->start(form, problem->observations(), FactorSet(U), spec);
      for (int warm = 0; warm < 3; ++warm) trajectory->step();
      trajectory->finite();
      std::vector<double> times;
      for (Index t = 0; t < iterations; ++t) {  // each step timed to its end (finite() waits for the device)
        const auto started = Clock::now();
        trajectory->step();
        trajectory->finite();
        times.push_back(seconds_since(started));
      }
      // regenerated: the floor of the stored operator it stands in for (it reads nothing but generates every entry)
      const double stored = sensing ? static_cast<double>(form.measurements) * static_cast<double>(form.length) *
                                          (single ? 4.0 : 8.0)
                                    : static_cast<double>(form.measurements) * (8.0 + 8.0);
      const double rate = backend->copy_rate(std::size_t{1} << 30);
      std::string device = backend->device();
      std::replace(device.begin(), device.end(), ',', ' ');  // one CSV field
      print(which, n, form.measurements, k, 1, median(times), stored / rate, stored,
            fmt::format("device={};copy_gbs={:.0f};floor_is=one read of the operator at the copy rate;passes={}",
                        device, rate / 1e9, std::getenv("NCVX_CUDA_TWO_PASS") ? "two" : "one where it fits"));
    } else if (which == "method_step") {
      const Index n1 = arg(2), n2 = arg(3), k = arg(5), iterations = arg(7);
      const std::string method = argv[6];
      // NAME or NAME:KEY=VALUE, read as `ncvx check NAME KEY=VALUE` reads it
      const std::string name = method.substr(0, method.find(':'));
      std::vector<std::string> assignments;
      if (const auto colon = method.find(':'); colon != std::string::npos) assignments.push_back(method.substr(colon + 1));
      const std::string text = fmt::format(
          "problem: {{name: low_rank, n1: {}, n2: {}, rank: {}}}\nmeasurement: {{name: matrix_completion, p: {}}}\n"
          "methods: [{{init: spectral, optimizer: gd, width: {}}}]\nrun: {{seeds: [1]}}\n",
          n1, n2, k, argv[4], k);
      const Experiment experiment = make_experiment(parse_config_text(text, {"bench", 0, 0, ""}), "bench", plugins());
      const auto problem = build_instance(experiment.run(0), experiment, plugins());
      const auto loss = plugins().find(PluginKind::loss, "squared").create_loss({});
      const Objective objective(problem->measurement(), *loss, problem->observations());
      // The ground truth's factors, slightly moved: a rank-k iterate near the answer, as after a spectral start.
      FactorSet start = problem->ground_truth().factors();
      RandomStream random(1, "bench");
      for (std::size_t f = 0; f < start.size(); ++f) {
        Matrix noise(start[f].rows(), start[f].cols());
        random.fill_normal(noise, 1e-2);
        start[f] += noise;
      }
      const auto gd = plugins().find(PluginKind::optimizer, "gd").create_optimizer(
          values_for(PluginKind::optimizer, "gd", {{"step", 0.5}}));
      const LoadedPlugin& other_plugin = plugins().find(PluginKind::optimizer, name);
      const auto other = other_plugin.create_optimizer(parse_parameter_assignments(other_plugin.info(), assignments));
      FactorSet with_gd = start, with_other = start;
      std::vector<double> gd_times, other_times;
      for (Index t = 0; t <= iterations; ++t) {  // alternating, iteration 0 warms up
        auto started = Clock::now();
        gd->step(objective, with_gd, t);
        if (t > 0) gd_times.push_back(seconds_since(started));
        started = Clock::now();
        other->step(objective, with_other, t);
        if (t > 0) other_times.push_back(seconds_since(started));
      }
      print("method_step_" + method, n1, problem->measurement().measurements(), k, 1, median(other_times),
            median(gd_times), 0.0, fmt::format("n2={};ratio_to_gd={:.2f}", n2, median(other_times) / median(gd_times)));
    } else if (which == "factorization_step") {
      const std::string name = argv[2];
      const Index n1 = arg(3), n2 = arg(4), n3 = arg(5), k = arg(7), depth = arg(8), iterations = arg(9);
      const bool tensor = name == "cp";
      const std::string text = fmt::format(
          "problem: {}\nmeasurement: {{name: matrix_completion, p: {}}}\n"
          "methods: [{{init: small_random, optimizer: gd, width: {}}}]\nrun: {{seeds: [1]}}\n",
          tensor ? fmt::format("{{name: low_rank_tensor, n1: {}, n2: {}, n3: {}, rank: 3}}", n1, n2, n3)
                 : fmt::format("{{name: low_rank, n1: {}, n2: {}, rank: 5}}", n1, n2),
          argv[6], k);
      const Experiment experiment = make_experiment(parse_config_text(text, {"bench", 0, 0, ""}), "bench", plugins());
      const auto problem = build_instance(experiment.run(0), experiment, plugins());
      const auto loss = plugins().find(PluginKind::loss, "squared").create_loss({});
      const auto product = plugins().find(PluginKind::factorization, name).create_factorization(
          tensor ? values_for(PluginKind::factorization, name, {})
                 : values_for(PluginKind::factorization, name, {{"depth", std::int64_t{depth}}}));
      const Objective blocks_objective(problem->measurement(), *loss, problem->observations(), product.get());
      const Objective pair_objective(problem->measurement(), *loss, problem->observations());
      const auto initializer = plugins().find(PluginKind::initializer, "small_random").create_initializer(
          values_for(PluginKind::initializer, "small_random", {{"scale", 0.1}}));
      const InitializationData data{problem->measurement(), problem->observations()};
      RandomStream random(1, "init");
      FactorSet blocks = initializer->initialize(data, product->shape(problem->shape(), k), random);
      FactorSet pair = initializer->initialize(data, FactorShape(problem->shape().rows, problem->shape().cols, k, false),
                                               random);
      const auto gd = [] {
        return plugins().find(PluginKind::optimizer, "gd").create_optimizer(
            values_for(PluginKind::optimizer, "gd", {{"step", 1e-3}}));
      };
      const auto on_blocks = gd(), on_pair = gd();
      std::vector<double> block_times, pair_times, chain_times;
      Matrix left, right;
      FactorSet gradient = FactorSet::zeros(blocks.shape());
      for (Index t = 0; t <= iterations; ++t) {  // alternating, iteration 0 warms up
        auto started = Clock::now();
        on_blocks->step(blocks_objective, blocks, t);
        if (t > 0) block_times.push_back(seconds_since(started));
        started = Clock::now();
        on_pair->step(pair_objective, pair, t);
        if (t > 0) pair_times.push_back(seconds_since(started));
        started = Clock::now();  // the lift and the chain rule alone (adjoint products of the right sizes)
        product->lift(blocks, left, right);
        product->pull_back(blocks, left, right, left, right, gradient);
        if (t > 0) chain_times.push_back(seconds_since(started));
      }
      const double ratio = median(block_times) / (median(pair_times) + median(chain_times));
      print("factorization_step_" + name + (tensor ? "" : std::to_string(depth)), n1,
            problem->measurement().measurements(), k, 1, median(block_times), median(pair_times), 0.0,
            fmt::format("n2={};n3={};uv_seconds={:.4g};lift_and_chain_seconds={:.4g};ratio={:.2f}", n2, n3,
                        median(pair_times), median(chain_times), ratio));
    } else if (which == "write_ratings") {
      // 70 000 users taking turns, each rating distinct items of 20 011 (no repeated pair, as in
      // MovieLens), ratings 1-5, increasing times.
      std::FILE* out = std::fopen(argv[2], "wb");
      if (!out) throw std::runtime_error(std::string("cannot write ") + argv[2]);
      std::mt19937_64 random(7);
      const Index bytes = arg(3);
      Index written = 0;
      for (Index line = 0; written < bytes; ++line) {
        const Index user = line % 70000 + 1, turn = line / 70000;
        const Index item = (user * 7919 + turn * 104729) % 20011 + 1;
        const int length = std::fprintf(out, "%ld\t%ld\t%lu\t%ld\n", static_cast<long>(user), static_cast<long>(item),
                                        static_cast<unsigned long>(1 + random() % 5),
                                        static_cast<long>(874724710 + line));
        written += length;
      }
      std::fclose(out);
    } else if (which == "ratings") {
      const std::string file = argv[2], format = argc > 3 ? argv[3] : "auto";
      const auto start = Clock::now();
      const auto problem = plugins().find(PluginKind::problem, "ratings").create_problem(
          values_for(PluginKind::problem, "ratings", {{"file", file}, {"format", format}}));
      const double seconds = seconds_since(start);
      const double bytes = static_cast<double>(std::filesystem::file_size(file));
      const auto stored = static_cast<double>(problem->required_bytes()) / 3.0;  // 16 bytes a rating
      const MatrixShape shape = problem->describe().shape;
      print("ratings_read", shape.rows, static_cast<Index>(stored / 16.0), shape.cols, 1, seconds, seconds, stored,
            fmt::format("MB/s={:.0f};file_bytes={:.0f};format={}", bytes / seconds / 1e6, bytes, format));
    } else if (which == "spectral") {
      const std::string model = argv[2];
      const Index n = arg(3), size = arg(4), k = arg(5);
      std::vector<std::pair<std::string, ParameterValue>> parameters;
      if (model == "gaussian_sensing") parameters = {{"m", std::int64_t{size}}};
      else parameters = {{"p", std::min(1.0, static_cast<double>(size) / (0.5 * static_cast<double>(n) * (n + 1)))}};
      const auto problem = instance(model, n, 5, parameters);
      const auto init = plugins().find(PluginKind::initializer, "spectral").create_initializer(
          values_for(PluginKind::initializer, "spectral", {}));
      std::vector<double> times;
      for (int repeat = 0; repeat < 3; ++repeat) {
        RandomStream random(1, "init");
        const auto start = Clock::now();
        const FactorSet U0 =
            init->initialize({problem->measurement(), problem->observations()}, {n, n, k, true}, random);
        times.push_back(seconds_since(start));
      }
      print("spectral_" + model, n, problem->measurement().measurements(), k, 1, median(times), median(times),
            0.0, "");
    } else {
      std::fprintf(stderr, "unknown case '%s'\n", which.c_str());
      return 2;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ncvx_bench %s: %s\n", which.c_str(), error.what());
    return 1;
  }
  return 0;
}
