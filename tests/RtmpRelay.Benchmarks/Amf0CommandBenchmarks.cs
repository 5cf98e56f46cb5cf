using BenchmarkDotNet.Attributes;
using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// Decoding the commands of a publisher's setup with <see cref="Amf0Reader"/>, the way a session does: every value
/// of the message (<see cref="Amf0Reader.ReadAll"/>). Once per connection, so allocations matter more than time.
/// </summary>
[MemoryDiagnoser]
public class Amf0CommandBenchmarks
{
    private byte[] _connect = [];
    private byte[] _connectFull = [];
    private byte[] _publish = [];

    [GlobalSetup]
    public void Setup()
    {
        _connect = SampleStream.ConnectCommand();
        _connectFull = SampleStream.ConnectCommandFull();
        _publish = SampleStream.PublishCommand();
    }

    /// <summary>ffmpeg's connect: "connect", 1, {app, type, flashVer, tcUrl}.</summary>
    [Benchmark]
    public int DecodeConnect() => Amf0Reader.ReadAll(_connect).Count;

    /// <summary>A Flash-style connect with ten properties.</summary>
    [Benchmark]
    public int DecodeConnectFull() => Amf0Reader.ReadAll(_connectFull).Count;

    /// <summary>"publish", 5, null, "mystream", "live".</summary>
    [Benchmark]
    public int DecodePublish() => Amf0Reader.ReadAll(_publish).Count;

    /// <summary>Only the command name and transaction id, as a dispatcher needs before deciding anything.</summary>
    [Benchmark]
    public double DecodePublishNameAndTransaction()
    {
        var reader = new Amf0Reader(_publish);
        return reader.ReadString().Length + reader.ReadNumber();
    }
}
