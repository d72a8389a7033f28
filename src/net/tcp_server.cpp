#include "erdtree/net/tcp_server.h"

#include <algorithm>
#include <cstring>

namespace erdtree::net {
namespace {

// "ip:port", or "[ip]:port" for IPv6, as Redis prints client addresses.
std::string formatAddress(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
    return std::string("[") + ip + "]:" + std::to_string(port);
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  uv_ip4_name(a, ip, sizeof(ip));
  port = ntohs(a->sin_port);
  return std::string(ip) + ":" + std::to_string(port);
}

}  // namespace

TcpServer::TcpServer(uv_loop_t* loop, ConnectionHandler& handler) : loop_(loop), handler_(handler) {}

TcpServer::~TcpServer() = default;

std::string TcpServer::listen(const ListenOptions& options) {
  keepaliveSeconds_ = options.keepaliveSeconds;
  std::string err = options.tcp ? listenTcp(options) : "";
  if (err.empty() && !options.unixSocket.empty()) err = listenUnix(options);
  return err;
}

std::string TcpServer::listenTcp(const ListenOptions& options) {
  for (std::string addr : options.bind) {
    bool optional = !addr.empty() && addr[0] == '-';  // Redis: "-addr" may fail to bind
    if (optional) addr.erase(0, 1);
    // Redis's wildcards: "*" every IPv4 address, "::*" every IPv6 address.
    const bool v6Wildcard = addr == "::*";
    if (addr == "*") addr = "0.0.0.0";
    if (v6Wildcard) addr = "::";
    sockaddr_storage ss{};
    int rc = addr.find(':') != std::string::npos
                 ? uv_ip6_addr(addr.c_str(), options.port, reinterpret_cast<sockaddr_in6*>(&ss))
                 : uv_ip4_addr(addr.c_str(), options.port, reinterpret_cast<sockaddr_in*>(&ss));
    auto fail = [&](const char* what, int code) {
      return "Could not create server TCP listening socket " + addr + ":" + std::to_string(options.port) + ": " +
             what + ": " + uv_strerror(code);
    };
    if (rc != 0) return fail("address", rc);
    auto listener = std::make_unique<uv_tcp_t>();
    uv_tcp_init(loop_, listener.get());
    listener->data = this;
    rc = uv_tcp_bind(listener.get(), reinterpret_cast<const sockaddr*>(&ss), v6Wildcard ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener.get()), options.backlog, onTcpConnection);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(listener.release()),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
      if (optional) continue;
      return fail("bind", rc);
    }
    listeners_.push_back(std::move(listener));
  }
  return "";
}

bool TcpServer::closeListeners() {
  for (auto& l : listeners_)
    uv_close(reinterpret_cast<uv_handle_t*>(l.release()), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  listeners_.clear();
  return closeUnixListener();
}

void TcpServer::onTcpConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<TcpServer*>(listener->data);
  if (status < 0) return;
  auto conn = std::make_unique<Connection>(*self, self->nextId_++);
  Connection* c = conn.get();
  uv_tcp_init(self->loop_, &c->handle_.tcp);
  if (!self->adopt(listener, std::move(conn))) return;
  uv_tcp_nodelay(&c->handle_.tcp, 1);
  if (self->keepaliveSeconds_ > 0) uv_tcp_keepalive(&c->handle_.tcp, 1, static_cast<unsigned>(self->keepaliveSeconds_));
  sockaddr_storage ss{};
  int len = sizeof(ss);
  if (uv_tcp_getpeername(&c->handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) c->peer_ = formatAddress(ss);
  len = sizeof(ss);
  if (uv_tcp_getsockname(&c->handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) c->local_ = formatAddress(ss);
  self->open(c);
}

bool TcpServer::adopt(uv_stream_t* listener, std::unique_ptr<Connection> conn) {
  Connection* c = conn.get();
  const uint64_t id = c->id();
  connections_.emplace(id, std::move(conn));
  if (uv_accept(listener, c->stream()) != 0) {
    c->closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(c->stream()), Connection::onClosed);
    return false;
  }
  ++totalConnections_;
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(c->stream()), &fd) == 0) c->fd_ = fd;
  return true;
}

void TcpServer::open(Connection* c) {
  if (!handler_.onOpen(*c)) {
    c->closeAfterFlush();
    return;
  }
  c->startReading();
}

void TcpServer::flushPending() {
  // Flushing can queue more (a drained client processes buffered requests).
  while (!pending_.empty()) {
    flushing_.swap(pending_);
    for (Connection* c : flushing_) c->flush();
    flushing_.clear();
  }
}

Connection* TcpServer::find(uint64_t id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
}

void TcpServer::closeAll() {
  std::vector<Connection*> all;
  for (auto& [id, c] : connections_) all.push_back(c.get());
  for (Connection* c : all) c->close();
}

void TcpServer::destroy(Connection* conn) {
  auto drop = [conn](std::vector<Connection*>& v) { v.erase(std::remove(v.begin(), v.end(), conn), v.end()); };
  drop(pending_);
  drop(flushing_);
  connections_.erase(conn->id());
}

}  // namespace erdtree::net
