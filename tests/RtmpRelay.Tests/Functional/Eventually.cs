namespace RtmpRelay.Tests.Functional;

/// <summary>Bounded polling for state that changes on another thread.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestRtmpClient.DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
            await Task.Delay(5);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await TrueAsync(() => (value = probe()) is not null, what, timeout);
        return value!;
    }
}
