// The Unix domain socket listener (unixsocket / unixsocketperm). Its clients
// are ordinary Connections on a uv_pipe_t; both their addresses are
// "<path>:0", which is what Redis prints for them.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "erdtree/net/tcp_server.h"

namespace erdtree::net {
namespace {

void closeAndDelete(std::unique_ptr<uv_pipe_t> pipe) {
  uv_close(reinterpret_cast<uv_handle_t*>(pipe.release()), [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
}

}  // namespace

std::string TcpServer::listenUnix(const ListenOptions& options) {
  const std::string& path = options.unixSocket;
  constexpr size_t kMaxPath = sizeof(sockaddr_un{}.sun_path);
  // libuv would truncate a long path silently; Redis refuses it.
  if (path.size() >= kMaxPath)
    return "Failed opening Unix socket: unix socket path too long (" + std::to_string(path.size()) +
           "), must be under " + std::to_string(kMaxPath);
  ::unlink(path.c_str());  // a stale file from an earlier run; missing is fine
  auto fail = [](const char* step, int err) {
    return std::string("Failed opening Unix socket: ") + step + ": " + std::strerror(err);
  };
  // bind() here rather than uv_pipe_bind, which reports ENOENT as EACCES:
  // the error must name the real reason, as Redis's does.
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("creating socket", errno);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0) {
    const int err = errno;
    ::close(fd);
    return fail("bind", err);
  }
  auto listener = std::make_unique<uv_pipe_t>();
  uv_pipe_init(loop_, listener.get(), 0);
  listener->data = this;
  if (int rc = uv_pipe_open(listener.get(), fd); rc != 0) {
    ::close(fd);
    closeAndDelete(std::move(listener));
    ::unlink(path.c_str());
    return fail("listen", -rc);
  }
  if (int rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener.get()), options.backlog, onUnixConnection); rc != 0) {
    closeAndDelete(std::move(listener));  // closes fd too
    ::unlink(path.c_str());
    return fail("listen", -rc);
  }
  // As Redis: a failed chmod leaves the socket usable with the umask's mode.
  if (options.unixSocketPerm != 0) (void)::chmod(path.c_str(), options.unixSocketPerm);
  unixListener_ = std::move(listener);
  unixPath_ = path;
  unixAddress_ = path + ":0";
  return "";
}

bool TcpServer::closeUnixListener() {
  if (!unixListener_) return false;
  closeAndDelete(std::move(unixListener_));
  ::unlink(unixPath_.c_str());
  return true;
}

void TcpServer::onUnixConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<TcpServer*>(listener->data);
  if (status < 0) return;
  auto conn = std::make_unique<Connection>(*self, self->nextId_++);
  Connection* c = conn.get();
  uv_pipe_init(self->loop_, &c->handle_.pipe, 0);
  if (!self->adopt(listener, std::move(conn))) return;
  c->unixSocket_ = true;
  c->peer_ = self->unixAddress_;
  c->local_ = self->unixAddress_;
  self->open(c);
}

}  // namespace erdtree::net
