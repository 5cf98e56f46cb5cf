using RtmpRelay.Fuzz;
using RtmpRelay.Fuzz.Infrastructure;
using SharpFuzz;

// RtmpRelay.Fuzz <target>                     run under afl-fuzz (input on stdin, SharpFuzz's fork server)
// RtmpRelay.Fuzz <target> <file|folder>...    run inputs once each without AFL (reproduce a crash, check a corpus)
// RtmpRelay.Fuzz list                         the target names
// RtmpRelay.Fuzz capture <port> <host:port> <folder> [connections]
//                                             a recording TCP proxy, to take seeds from real peers (see capture-seeds)
// RtmpRelay.Fuzz seeds <captures> <name> <corpus> [rtmp|rtmpe|rtmpt]
//                                             turns captures into seed inputs for each target
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: RtmpRelay.Fuzz <target> [input file or folder ...] | list | capture <port> <host:port> <folder> [connections]");
    Console.Error.WriteLine($"targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
if (args[0] == "list")
{
    foreach (var name in FuzzTargets.Names)
    {
        Console.WriteLine(name);
    }
    return 0;
}
if (args[0] == "capture")
{
    return await CaptureProxy.RunAsync(args[1..]);
}
if (args[0] == "seeds")
{
    return SeedExtractor.Run(args[1..]);
}

var target = args[0];
if (!FuzzTargets.Names.Contains(target))
{
    Console.Error.WriteLine($"unknown target '{target}'; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
if (args.Length == 1)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        FuzzTargets.Run(target, buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    });
    return 0;
}

var failed = 0;
var files = args[1..].SelectMany(path => Directory.Exists(path) ? Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray() : new[] { path });
foreach (var file in files)
{
    var started = System.Diagnostics.Stopwatch.StartNew();
    try
    {
        FuzzTargets.Run(target, File.ReadAllBytes(file));
        Console.WriteLine($"ok    {started.ElapsedMilliseconds,6} ms  {file}");
    }
    catch (Exception ex)
    {
        failed++;
        Console.WriteLine($"FAIL  {started.ElapsedMilliseconds,6} ms  {file}\n{ex}");
    }
}
return failed == 0 ? 0 : 1;
