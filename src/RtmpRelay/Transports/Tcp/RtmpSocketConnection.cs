using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using RtmpRelay.Core;

namespace RtmpRelay.Transports.Tcp;

/// <summary>
/// An accepted RTMP socket whose pipe reads and writes the socket in place: a read is one receive into a pooled block,
/// handed straight to the reader, with no receive loop, no pipe in between and no hop between them (Kestrel's socket
/// transport runs its own loop that receives into a pipe, then wakes the reader through it). The reader waits for data
/// before it takes a block, so an idle connection holds none.
/// </summary>
internal sealed class RtmpSocketConnection : ConnectionContext, IConnectionIdFeature, IConnectionItemsFeature,
    IConnectionTransportFeature, IConnectionEndPointFeature, IConnectionLifetimeFeature, IConnectionSocketFeature
{
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _closed = new();
    private IDictionary<object, object?>? _items;
    private int _disposed;

    public RtmpSocketConnection(Socket socket, string id, MemoryPool<byte> pool)
    {
        Socket = socket;
        ConnectionId = id;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        _stream = new NetworkStream(socket, ownsSocket: false);
        var input = PipeReader.Create(_stream, new StreamPipeReaderOptions(pool, ReceiveBlockPool.BlockSize,
            minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true));
        var output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(pool, minimumBufferSize: 4096, leaveOpen: true));
        Transport = new DuplexPipe(input, output);
        Features = new FeatureCollection();
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionSocketFeature>(this);
    }

    public Socket Socket { get; }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException("The connection's lifetime is the socket's.");
    }

    /// <summary>Ends the connection at once: a pending read or write fails, and <see cref="ConnectionClosed"/> fires.</summary>
    public override void Abort(ConnectionAbortedException abortReason)
    {
        try
        {
            // Shutdown wakes a pending receive (it then reads the end) without freeing the socket under it.
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        Closed();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            // Whatever the handler left unflushed (a last status) still goes out, then the socket closes.
            await Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
        await Transport.Input.CompleteAsync().ConfigureAwait(false);
        Socket.Dispose();
        Closed();
        _closed.Dispose();
    }

    private void Closed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class ConnectionItems : Dictionary<object, object?>;
}
