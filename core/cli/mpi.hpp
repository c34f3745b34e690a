#pragma once
// Running a sweep over MPI ranks (built when Open MPI is found at configure
// time): rank 0 keeps the results folder and hands out instance groups from a
// work queue; every other rank runs the groups it is given (on its own
// threads) and sends back their journal records. One rank writes, instance
// groups stay on one rank, and the files are those of a single process.
//
//   mpirun -np 4 ncvx run CONFIG --out DIR

#include <string>
#include <vector>

#include "ncvx/study/sweep.hpp"

namespace ncvx::cli {

/// Whether this process was started by mpirun with more than one rank (and
/// MPI support was built in); MPI is initialized only then.
bool mpi_launched();

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

/// Rank 0's executor: groups go to the other ranks as they ask for work.
std::unique_ptr<GroupExecutor> mpi_coordinator(const MpiSession& session);

/// Ranks > 0: run the groups rank 0 sends until it says stop.
void mpi_worker(const MpiSession& session, const Experiment& experiment, const PluginRegistry& plugins,
                unsigned threads, unsigned lockstep);

}  // namespace ncvx::cli
