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

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
