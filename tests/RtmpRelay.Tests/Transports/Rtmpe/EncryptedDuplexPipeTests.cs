using System.Buffers;
using System.IO.Pipelines;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Rtmpe;
using RtmpRelay.Tests.Protocol.Rtmpe;
using RtmpRelay.Transports.Rtmpe;
using RtmpRelay.Core;

namespace RtmpRelay.Tests.Transports.Rtmpe;

public class EncryptedDuplexPipeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The four RC4 streams of a TV6 handshake: client encrypts with c2s, server decrypts with c2s, and back.</summary>
    private sealed class Ciphers
    {
        public Ciphers()
        {
            (ClientEncryptor, ClientDecryptor) = Create();
            (ServerDecryptor, ServerEncryptor) = Create();
        }

        public IRtmpeStreamCipher ClientEncryptor { get; }
        public IRtmpeStreamCipher ClientDecryptor { get; }
        public IRtmpeStreamCipher ServerEncryptor { get; }
        public IRtmpeStreamCipher ServerDecryptor { get; }

        public static (IRtmpeStreamCipher ClientToServer, IRtmpeStreamCipher ServerToClient) Create() =>
            RtmpeKeys.CreateStreamCiphers(
                BouncyCastleRtmpeCrypto.Shared,
                Convert.FromHexString(RtmpeVectors.Secret),
                Convert.FromHexString(RtmpeVectors.B),
                Convert.FromHexString(RtmpeVectors.A));
    }

    /// <summary>One layer (the server's) over a wire whose far ends the test drives directly.</summary>
    private sealed class OneLayer : IAsyncDisposable
    {
        public OneLayer(PipeOptions? wireOptions = null)
        {
            ToServer = new Pipe(wireOptions ?? PipeOptions.Default);
            ToClient = new Pipe(wireOptions ?? PipeOptions.Default);
            var ciphers = new Ciphers();
            Peer = ciphers;
            Layer = new EncryptedDuplexPipe(new DuplexPipe(ToServer.Reader, ToClient.Writer), ciphers.ServerDecryptor, ciphers.ServerEncryptor);
        }

        public Pipe ToServer { get; }
        public Pipe ToClient { get; }
        public Ciphers Peer { get; }
        public EncryptedDuplexPipe Layer { get; }

        public async Task WriteFromPeerAsync(byte[] plain)
        {
            await ToServer.Writer.WriteAsync(Transform(Peer.ClientEncryptor, plain));
        }

        public ValueTask DisposeAsync() => Layer.DisposeAsync();
    }

    private static byte[] Transform(IRtmpeStreamCipher cipher, ReadOnlySpan<byte> input)
    {
        byte[] output = new byte[input.Length];
        cipher.Transform(input, output);
        return output;
    }

    private static byte[] Payload(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task WriteInOddPiecesAsync(PipeWriter writer, byte[] data)
    {
        int[] sizes = [1, 7, 13, 4095, 4097, 65537, 333, 2];
        int offset = 0;
        for (int i = 0; offset < data.Length; i++)
        {
            int size = Math.Min(sizes[i % sizes.Length], data.Length - offset);
            FlushResult flush = await writer.WriteAsync(data.AsMemory(offset, size));
            Assert.False(flush.IsCompleted);
            offset += size;
        }
    }

    /// <summary>Reads until the writer completes; returns everything and checks the end was clean.</summary>
    private static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var all = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                all.Write(segment.Span);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
                return all.WrittenSpan.ToArray();
        }
    }

    [Fact]
    public async Task TwoLayers_FacingEachOtherDataSplitAtOddSizes_RoundTripBothWaysAndCompletionPropagates()
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var ciphers = new Ciphers();
        await using var client = new EncryptedDuplexPipe(new DuplexPipe(serverToClient.Reader, clientToServer.Writer), ciphers.ClientDecryptor, ciphers.ClientEncryptor);
        await using var server = new EncryptedDuplexPipe(new DuplexPipe(clientToServer.Reader, serverToClient.Writer), ciphers.ServerDecryptor, ciphers.ServerEncryptor);
        Task clientPumps = client.RunAsync();
        Task serverPumps = server.RunAsync();
        byte[] up = Payload(300_001, 1);
        byte[] down = Payload(200_003, 2);

        Task<byte[]> serverReads = ReadToEndAsync(server.Input);
        Task<byte[]> clientReads = ReadToEndAsync(client.Input);
        await WriteInOddPiecesAsync(client.Output, up);
        await client.Output.CompleteAsync();
        await WriteInOddPiecesAsync(server.Output, down);
        await server.Output.CompleteAsync();

        Assert.Equal(up, await serverReads.WaitAsync(Timeout));
        Assert.Equal(down, await clientReads.WaitAsync(Timeout));
        await client.Input.CompleteAsync();
        await server.Input.CompleteAsync();
        await Task.WhenAll(clientPumps, serverPumps).WaitAsync(Timeout);
        Assert.Same(clientPumps, client.RunAsync());
    }

    [Fact]
    public async Task Output_Plaintext_LeavesAsCiphertextOfTheEncryptorStream()
    {
        await using var wire = new OneLayer();
        _ = wire.Layer.RunAsync();
        byte[] plain = Payload(10_000, 3);

        await wire.Layer.Output.WriteAsync(plain);
        await wire.Layer.Output.CompleteAsync();
        byte[] onWire = await ReadToEndAsync(wire.ToClient.Reader).WaitAsync(Timeout);

        Assert.NotEqual(plain, onWire);
        Assert.Equal(plain, Transform(wire.Peer.ClientDecryptor, onWire));
    }

    [Fact]
    public async Task Input_CiphertextAlreadyInTransportBeforeStart_DecryptedFirst()
    {
        // What the handshake left unconsumed after C2 (the first chunk), then more that arrives later.
        await using var wire = new OneLayer();
        byte[] first = Payload(77, 4);
        byte[] later = Payload(5000, 5);
        await wire.WriteFromPeerAsync(first);

        _ = wire.Layer.RunAsync();
        await wire.WriteFromPeerAsync(later);
        await wire.ToServer.Writer.CompleteAsync();

        byte[] received = await ReadToEndAsync(wire.Layer.Input).WaitAsync(Timeout);

        Assert.Equal([.. first, .. later], received);
    }

    [Fact]
    public async Task Input_TransportFails_CoreReadThrowsTheError()
    {
        await using var wire = new OneLayer();
        _ = wire.Layer.RunAsync();
        await wire.WriteFromPeerAsync([1, 2, 3]);
        await wire.ToServer.Writer.CompleteAsync(new IOException("connection reset"));

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            while (true)
            {
                ReadResult result = await wire.Layer.Input.ReadAsync().AsTask().WaitAsync(Timeout);
                wire.Layer.Input.AdvanceTo(result.Buffer.End);
            }
        });

        Assert.Equal("connection reset", error.Message);
    }

    [Fact]
    public async Task Output_CoreCompletesWithError_TransportReadThrowsIt()
    {
        await using var wire = new OneLayer();
        _ = wire.Layer.RunAsync();

        await wire.Layer.Output.CompleteAsync(new InvalidOperationException("core failed"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReadToEndAsync(wire.ToClient.Reader).WaitAsync(Timeout));
        Assert.Equal("core failed", error.Message);
    }

    [Fact]
    public async Task Output_TransportStopsReading_CoreFlushReportsCompleted()
    {
        await using var wire = new OneLayer();
        _ = wire.Layer.RunAsync();
        await wire.ToClient.Reader.CompleteAsync();

        var deadline = DateTime.UtcNow + Timeout;
        FlushResult flush;
        do
        {
            flush = await wire.Layer.Output.WriteAsync(new byte[100]).AsTask().WaitAsync(Timeout);
            if (!flush.IsCompleted)
                await Task.Delay(10);
        }
        while (!flush.IsCompleted && DateTime.UtcNow < deadline);

        Assert.True(flush.IsCompleted);
    }

    [Fact]
    public async Task Input_CoreStopsReading_TransportWriterSeesCompletion()
    {
        await using var wire = new OneLayer();
        _ = wire.Layer.RunAsync();
        await wire.Layer.Input.CompleteAsync();

        var deadline = DateTime.UtcNow + Timeout;
        FlushResult flush;
        do
        {
            flush = await wire.ToServer.Writer.WriteAsync(new byte[100]).AsTask().WaitAsync(Timeout);
            if (!flush.IsCompleted)
                await Task.Delay(10);
        }
        while (!flush.IsCompleted && DateTime.UtcNow < deadline);

        Assert.True(flush.IsCompleted);
    }

    [Fact]
    public async Task Input_CoreNotReading_DecryptedBufferStaysBounded()
    {
        // An unbounded wire: only the layer's own threshold can hold the 4 MiB back.
        await using var wire = new OneLayer(new PipeOptions(pauseWriterThreshold: 0));
        _ = wire.Layer.RunAsync();
        byte[] plain = Payload(4 * 1024 * 1024, 6);
        await wire.WriteFromPeerAsync(plain);

        long buffered = await BufferedAsync(wire.Layer.Input, atLeast: EncryptedDuplexPipe.PauseWriterThreshold);
        await Task.Delay(300);
        buffered = await BufferedAsync(wire.Layer.Input, atLeast: 0);
        Assert.InRange(buffered, EncryptedDuplexPipe.PauseWriterThreshold, EncryptedDuplexPipe.PauseWriterThreshold + 64 * 1024);

        await wire.ToServer.Writer.CompleteAsync();
        Assert.Equal(plain, await ReadToEndAsync(wire.Layer.Input).WaitAsync(Timeout));

        static async Task<long> BufferedAsync(PipeReader reader, long atLeast)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                long length = 0;
                if (reader.TryRead(out ReadResult result))
                {
                    length = result.Buffer.Length;
                    reader.AdvanceTo(result.Buffer.Start); // look only: consume and examine nothing
                }
                if (length >= atLeast || DateTime.UtcNow > deadline)
                    return length;
                await Task.Delay(10);
            }
        }
    }

    [Fact]
    public async Task DisposeAsync_PumpsIdle_StopsThem()
    {
        var wire = new OneLayer();
        Task pumps = wire.Layer.RunAsync();

        await wire.Layer.DisposeAsync().AsTask().WaitAsync(Timeout);

        Assert.True(pumps.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => { _ = wire.Layer.RunAsync(); });
    }

    [Fact]
    public async Task DisposeAsync_NeverRun_Completes()
    {
        var wire = new OneLayer();

        await wire.Layer.DisposeAsync().AsTask().WaitAsync(Timeout);
        await wire.Layer.DisposeAsync();
    }
}
