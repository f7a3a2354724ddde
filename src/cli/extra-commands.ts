// Commands contributed by other parts of the bot register themselves here.
import './clock-commands.ts';
