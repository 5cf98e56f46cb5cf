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
            // The endpoint itself, or (for "localhost", which Kestrel binds once per loopback address) its port.
            return _claimed.Exists(claimed => ReferenceEquals(claimed, ip) || (claimed.Port != 0 && claimed.Port == ip.Port));
        }
    }

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
