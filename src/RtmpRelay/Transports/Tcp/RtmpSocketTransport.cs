using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace RtmpRelay.Transports.Tcp;

/// <summary>
/// Kestrel's transport for the RTMP endpoints (Rtmp, Rtmps): accepts sockets and hands each out as a
/// <see cref="RtmpSocketConnection"/>, which reads in place. Every other endpoint (RTMPT, admin) stays on Kestrel's
/// socket transport. Kestrel asks the last registered transport first; this one takes only the endpoints
/// <see cref="Claim"/> marked.
/// </summary>
internal sealed class RtmpSocketTransport(MemoryPool<byte> pool) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly MemoryPool<byte> _pool = pool;
    private readonly List<IPEndPoint> _claimed = [];
    private long _lastId;

    /// <summary>Connections accepted so far, on every endpoint this transport bound.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _lastId);

    /// <summary>Marks an endpoint as RTMP, before Kestrel binds it.</summary>
    public void Claim(EndPoint endpoint)
    {
        if (endpoint is IPEndPoint ip)
        {
            lock (_claimed)
            {
                _claimed.Add(ip);
            }
        }
    }

    public bool CanBind(EndPoint endpoint)
    {
        if (endpoint is not IPEndPoint ip)
        {
            return false;
        }
        lock (_claimed)
        {
            return _claimed.Exists(claimed => ReferenceEquals(claimed, ip) || SameListener(claimed, ip));
        }
    }

    /// <summary>
    /// The claimed endpoint as Kestrel binds it: "localhost" once per loopback address, "*" on the IPv6 or IPv4 any
    /// address. Another address on the same port (RTMPT on 127.0.0.2:1935 beside RTMP on 127.0.0.1:1935) is not it.
    /// </summary>
    private static bool SameListener(IPEndPoint claimed, IPEndPoint endpoint) =>
        claimed.Port != 0 && claimed.Port == endpoint.Port
        && (claimed.Address.Equals(endpoint.Address)
            || (IsLocalhost(claimed.Address) && IsLocalhost(endpoint.Address))
            || (IsAny(claimed.Address) && IsAny(endpoint.Address)));

    private static bool IsLocalhost(IPAddress address) => address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback);

    private static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Socket socket;
        try
        {
            socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(ex.Message, ex);
        }
        socket.Listen(512);
        return new(new Listener(this, socket));
    }

    private sealed class Listener(RtmpSocketTransport transport, Socket socket) : IConnectionListener
    {
        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return null; // unbound
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException)
                {
                    continue; // the peer reset the connection before it was accepted
                }
                accepted.NoDelay = true;
                var id = $"R{Interlocked.Increment(ref transport._lastId):X8}";
                return new RtmpSocketConnection(accepted, id, transport._pool);
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
