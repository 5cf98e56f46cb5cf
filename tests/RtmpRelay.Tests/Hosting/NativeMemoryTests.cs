using RtmpRelay.Hosting;

namespace RtmpRelay.Tests.Hosting;

public class NativeMemoryTests
{
    [Fact]
    public void LimitMallocArenas_OnLinuxWithGlibc_IsApplied()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return; // the relay leaves the allocator alone there, which the method's other branch covers
        }
        Assert.True(NativeMemory.LimitMallocArenas(), "mallopt(M_ARENA_MAX) was not applied: libc.so.6 not found or refused it");
    }
}
