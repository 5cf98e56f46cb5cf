using RtmpRelay.Hosting;

// Socket completions run their continuation in place instead of hopping to the thread pool. Read once, when the
// first socket is made, so it is set before anything else. Safe because nothing in the relay blocks a thread.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

var builder = WebApplication.CreateBuilder(args);
builder.AddRtmpRelay();
var app = builder.Build();
app.MapRtmpRelay();
app.Run();
