using System.Runtime.InteropServices;
using HeyGenAvatarBot;

// The bot's command line lives in BotCommand (so the tests run the very same parsing); Ctrl+C is handled here so the
// run can close its avatar session and finish its files before the process exits with 130.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the run close everything; it returns 130
    interrupted.Cancel();
};
using PosixSignalRegistration terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true; // as Ctrl+C: close the session first
    interrupted.Cancel();
});

return await BotCommand.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, interrupted.Token);
