using System.Collections.Concurrent;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// Every process the interop tests start is registered here until it is disposed; whatever is still registered when
/// the test host exits (a test that threw before disposing, a crashed fixture) is killed with its whole tree.
/// </summary>
internal static class ProcessReaper
{
    private static readonly ConcurrentDictionary<ManagedProcess, byte> Live = new();

    static ProcessReaper()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.DomainUnload += (_, _) => KillAll();
    }

    public static void Register(ManagedProcess process) => Live.TryAdd(process, 0);

    public static void Unregister(ManagedProcess process) => Live.TryRemove(process, out _);

    public static void KillAll()
    {
        foreach (var process in Live.Keys)
        {
            process.Kill();
            Live.TryRemove(process, out _);
        }
    }
}
