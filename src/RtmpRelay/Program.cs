using RtmpRelay.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRtmpRelay();
var app = builder.Build();
app.MapRtmpRelay();
app.Run();
