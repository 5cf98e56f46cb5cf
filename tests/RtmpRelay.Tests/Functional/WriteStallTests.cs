using System.IO.Pipelines;
using Microsoft.Extensions.Time.Testing;
using RtmpRelay.Core;
using RtmpRelay.Options;

namespace RtmpRelay.Tests.Functional;

public class WriteStallTests
{
    [Fact]
    public async Task Connection_PeerStopsReading_ClosedAsWriteStalledAfterTheTimeout()
    {
        var time = new FakeTimeProvider();
        var toPeer = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512, useSynchronizationContext: false));
        var fromPeer = new Pipe();
        var options = new RelayOptions();
        await using var connection = new RtmpConnection(new DuplexPipe(fromPeer.Reader, toPeer.Writer), "stalled", options, time, new TestLogger())
        {
            RequireTraffic = false,
            WriteStallTimeout = TimeSpan.FromSeconds(10),
        };
        var running = connection.RunAsync(_ => { });
        for (var i = 0; i < 64; i++)
        {
            connection.SendCommand(0, "onStatus", 0, null, new string('x', 200)); // far more than the peer's window; nobody reads
        }
        await Task.Delay(50);

        time.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(50);
        Assert.False(running.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await running.WaitAsync(TestRtmpClient.DefaultTimeout);
        Assert.True(connection.WriteStalled);
        Assert.Contains("accepted no bytes for 10 s", connection.CloseReason, StringComparison.Ordinal);
    }
}

public class BrokenTransportTests
{
    /// <summary>Found by the soak test: a destination's socket broke while the write loop flushed, and completing the
    /// stream-backed writer flushed again into it and threw out of the connection.</summary>
    [Fact]
    public async Task Connection_StreamBehindTheWriterBreaks_EndsWithTheReasonInsteadOfThrowing()
    {
        var fromPeer = new System.IO.Pipelines.Pipe();
        var output = System.IO.Pipelines.PipeWriter.Create(new BrokenStream());
        var options = new RtmpRelay.Options.RelayOptions();
        await using var connection = new RtmpRelay.Core.RtmpConnection(new Transport(fromPeer.Reader, output), "broken", options,
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(), new TestLogger()) { RequireTraffic = false };
        var running = connection.RunAsync(_ => { });

        connection.SendCommand(0, "onStatus", 0, null, "x");

        await running.WaitAsync(TestRtmpClient.DefaultTimeout);
        Assert.Contains("Broken pipe", connection.CloseReason, StringComparison.Ordinal);
    }

    private sealed record Transport(System.IO.Pipelines.PipeReader Input, System.IO.Pipelines.PipeWriter Output) : System.IO.Pipelines.IDuplexPipe;

    private sealed class BrokenStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => throw new IOException("Broken pipe");
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("Broken pipe"));
    }
}
